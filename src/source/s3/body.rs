//! The bridge from an async object body to the blocking [`Read`] the decoders take: a bounded channel of
//! chunks, so memory per object in flight is a few chunks, whatever the object's size.

use std::io::{self, Read};

use bytes::{Buf, Bytes};
use tokio::sync::mpsc;

/// Chunks buffered per object between the fetching task and the decoding worker.
pub(crate) const CHUNKS_IN_FLIGHT: usize = 4;

/// What the fetching task sends.
pub(crate) enum Chunk {
    Data(Bytes),
    /// The body is complete.
    End,
    /// The fetch gave up (after its retries); the reader fails with this reason.
    Failed(String),
}

pub(crate) fn channel() -> (mpsc::Sender<Chunk>, ChannelReader) {
    let (tx, rx) = mpsc::channel(CHUNKS_IN_FLIGHT);
    (tx, ChannelReader { rx, current: Bytes::new(), finished: false })
}

/// A blocking reader over the chunks (used on pipeline threads, never inside the async runtime).
pub(crate) struct ChannelReader {
    rx: mpsc::Receiver<Chunk>,
    current: Bytes,
    finished: bool,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            if self.finished || buf.is_empty() {
                return Ok(0);
            }
            match self.rx.blocking_recv() {
                Some(Chunk::Data(bytes)) => self.current = bytes,
                Some(Chunk::End) => self.finished = true,
                Some(Chunk::Failed(reason)) => {
                    self.finished = true;
                    return Err(io::Error::other(reason));
                }
                None => {
                    self.finished = true;
                    return Err(io::Error::other("the fetch was abandoned before the end of the object"));
                }
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        self.current.advance(n);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_chunks_then_end_or_failure() {
        for (tail, want) in [(Chunk::End, Ok("hello world")), (Chunk::Failed("reset".into()), Err("reset"))] {
            let (tx, mut reader) = channel();
            let sender = std::thread::spawn(move || {
                send(&tx, Chunk::Data(Bytes::from_static(b"hello ")));
                send(&tx, Chunk::Data(Bytes::from_static(b"world")));
                send(&tx, tail);
            });
            let mut text = String::new();
            let got = reader.read_to_string(&mut text).map(|_| text.clone()).map_err(|e| e.to_string());
            sender.join().unwrap();
            match want {
                Ok(expected) => assert_eq!(got.unwrap(), expected),
                Err(reason) => {
                    assert_eq!(got.unwrap_err(), reason);
                    assert_eq!(text, "hello world");
                }
            }
        }
        let (tx, mut reader) = channel();
        drop(tx);
        assert!(reader.read(&mut [0; 4]).is_err(), "a dropped sender is not a clean end");
    }

    fn send(tx: &mpsc::Sender<Chunk>, chunk: Chunk) {
        assert!(tx.blocking_send(chunk).is_ok());
    }
}
