//! Which endpoint an S3 access log line came through. Access logs carry no endpoint id; a line whose source
//! address lies in exactly one configured VPC network is attributed to that network's S3 endpoint.

use crate::model::{Event, VpceId};

/// A VPC network and the S3 endpoint its traffic goes through.
#[derive(Debug, Clone)]
pub struct EndpointNetwork {
    pub net: ipnet::IpNet,
    pub vpce: VpceId<'static>,
}

/// The endpoint an access log line came through, from its source address: the one configured network that
/// contains it (ambiguous matches attribute nothing).
pub fn infer_endpoint(networks: &[EndpointNetwork], event: &Event) -> Option<VpceId<'static>> {
    if networks.is_empty() {
        return None;
    }
    let ip: std::net::IpAddr = event.source_ip.as_deref()?.parse().ok()?;
    let mut matches = networks.iter().filter(|n| n.net.contains(&ip)).map(|n| &n.vpce);
    let first = matches.next()?;
    matches.all(|other| other == first).then(|| first.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn network(cidr: &str, vpce: &str) -> EndpointNetwork {
        EndpointNetwork { net: cidr.parse().unwrap(), vpce: VpceId::from(vpce.to_owned()) }
    }

    #[test]
    fn one_containing_network_attributes_the_line() {
        let networks =
            [network("10.0.0.0/16", "vpce-a"), network("10.1.0.0/16", "vpce-b"), network("10.1.2.0/24", "vpce-c")];
        let cases: [(Option<&str>, Option<&str>); 5] = [
            (Some("10.0.3.4"), Some("vpce-a")),
            // Two networks of different endpoints contain it: ambiguous, nothing.
            (Some("10.1.2.3"), None),
            (Some("10.1.9.9"), Some("vpce-b")),
            (Some("192.0.2.1"), None),
            (Some("not-an-ip"), None),
        ];
        for (ip, want) in cases {
            let event = Event { source_ip: ip.map(str::to_owned), ..Event::blank() };
            assert_eq!(infer_endpoint(&networks, &event), want.map(VpceId::from), "{ip:?}");
        }
        assert_eq!(infer_endpoint(&[], &Event { source_ip: Some("10.0.0.1".into()), ..Event::blank() }), None);
    }
}
