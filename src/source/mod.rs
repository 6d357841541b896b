//! Where bytes come from: local files and folders, stdin, archives.
