//! `s3://bucket/prefix` sources: the layout planner ([`layout`], pure and always built) and, with the `aws`
//! feature, the client: SDK configuration ([`client`]), paginated parallel listing ([`list`]), concurrent
//! streaming GETs with resume ([`fetch`], [`body`]). The background runner that ties them to the pipeline is
//! `source::runner`.

#[cfg(feature = "aws")]
pub(crate) mod body;
#[cfg(feature = "aws")]
pub(crate) mod client;
#[cfg(feature = "aws")]
pub(crate) mod fetch;
pub mod layout;
#[cfg(feature = "aws")]
pub(crate) mod list;
