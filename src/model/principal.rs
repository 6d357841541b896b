//! Who made a request: the identity as a policy sees it (`aws:PrincipalArn`) plus the session details
//! forensics needs.

use serde::Serialize;

use super::AccountId;

/// CloudTrail's `userIdentity.type`, plus `Anonymous` for unsigned requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum PrincipalType {
    AssumedRole,
    IAMUser,
    Root,
    FederatedUser,
    AWSService,
    AWSAccount,
    IdentityCenterUser,
    SAMLUser,
    WebIdentityUser,
    Anonymous,
    Unknown,
}

impl PrincipalType {
    /// Parses CloudTrail's `userIdentity.type`; anything unrecognised is `Unknown`.
    pub fn from_cloudtrail(value: &str) -> PrincipalType {
        match value {
            "AssumedRole" => PrincipalType::AssumedRole,
            "IAMUser" => PrincipalType::IAMUser,
            "Root" => PrincipalType::Root,
            "FederatedUser" => PrincipalType::FederatedUser,
            "AWSService" => PrincipalType::AWSService,
            "AWSAccount" => PrincipalType::AWSAccount,
            "IdentityCenterUser" => PrincipalType::IdentityCenterUser,
            "SAMLUser" => PrincipalType::SAMLUser,
            "WebIdentityUser" => PrincipalType::WebIdentityUser,
            _ => PrincipalType::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalType::AssumedRole => "AssumedRole",
            PrincipalType::IAMUser => "IAMUser",
            PrincipalType::Root => "Root",
            PrincipalType::FederatedUser => "FederatedUser",
            PrincipalType::AWSService => "AWSService",
            PrincipalType::AWSAccount => "AWSAccount",
            PrincipalType::IdentityCenterUser => "IdentityCenterUser",
            PrincipalType::SAMLUser => "SAMLUser",
            PrincipalType::WebIdentityUser => "WebIdentityUser",
            PrincipalType::Anonymous => "Anonymous",
            PrincipalType::Unknown => "Unknown",
        }
    }
}

/// The identity behind a request.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Principal {
    /// The identity as `aws:PrincipalArn` sees it: the role ARN for assumed-role sessions, the user ARN for
    /// users, the root ARN for root, the service name for AWS services, `anonymous` for unsigned requests.
    /// `None` when the log does not say (e.g. an `AWSAccount` caller with only an account id).
    pub arn: Option<String>,
    pub kind: PrincipalType,
    pub account: Option<AccountId<'static>>,
    /// The raw identity ARN of the log (session ARN `arn:aws:sts::acct:assumed-role/Role/session`).
    pub identity_arn: Option<String>,
    /// Role session name, for assumed roles.
    pub session_name: Option<String>,
    /// `principalId` (`aws:userid`).
    pub principal_id: Option<String>,
    /// The IAM user name (`aws:username`), for IAM users only.
    pub user_name: Option<String>,
    pub access_key_id: Option<String>,
    /// The AWS service that made the call on the principal's behalf (`invokedBy`).
    pub invoked_by: Option<String>,
    /// The session's credentials were delivered to an EC2 instance (`sessionContext.ec2RoleDelivery`).
    pub ec2_role_delivery: bool,
}

impl Principal {
    /// An identity about which nothing is known.
    pub fn unknown() -> Principal {
        Principal {
            arn: None,
            kind: PrincipalType::Unknown,
            account: None,
            identity_arn: None,
            session_name: None,
            principal_id: None,
            user_name: None,
            access_key_id: None,
            invoked_by: None,
            ec2_role_delivery: false,
        }
    }

    /// True for AWS service principals (`AWSService`, or a call `invokedBy` a service with no customer identity).
    pub fn is_aws_service(&self) -> bool {
        self.kind == PrincipalType::AWSService
    }

    /// A label for reports: the ARN, else `account:<id>`, else `unknown`.
    pub fn label(&self) -> String {
        match (&self.arn, &self.account) {
            (Some(arn), _) => arn.clone(),
            (None, Some(account)) => format!("account:{account}"),
            (None, None) => "unknown".to_owned(),
        }
    }
}

/// Turns an STS assumed-role session ARN into the role ARN a policy sees:
/// `arn:aws:sts::111122223333:assumed-role/App/i-0abc` → `arn:aws:iam::111122223333:role/App`.
/// The role path is not in the session ARN and cannot be recovered. Returns `None` for other ARNs.
pub fn role_arn_from_session_arn(session_arn: &str) -> Option<(String, String)> {
    let rest = session_arn.strip_prefix("arn:")?;
    let mut parts = rest.splitn(5, ':');
    let partition = parts.next()?;
    let service = parts.next()?;
    let _region = parts.next()?;
    let account = parts.next()?;
    let resource = parts.next()?;
    if service != "sts" {
        return None;
    }
    let role_and_session = resource.strip_prefix("assumed-role/")?;
    let (role, session) = role_and_session.split_once('/')?;
    if role.is_empty() {
        return None;
    }
    Some((["arn:", partition, ":iam::", account, ":role/", role].concat(), session.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_arns_become_role_arns() {
        let cases = [
            (
                "arn:aws:sts::111122223333:assumed-role/App/i-0abc",
                Some(("arn:aws:iam::111122223333:role/App", "i-0abc")),
            ),
            (
                "arn:aws-us-gov:sts::111122223333:assumed-role/R/s/with/slash",
                Some(("arn:aws-us-gov:iam::111122223333:role/R", "s/with/slash")),
            ),
            ("arn:aws:iam::111122223333:user/alice", None),
            ("arn:aws:sts::111122223333:federated-user/bob", None),
            ("not an arn", None),
            ("arn:aws:sts::1:assumed-role//x", None),
        ];
        for (input, expected) in cases {
            let got = role_arn_from_session_arn(input);
            let expected = expected.map(|(a, b)| (a.to_owned(), b.to_owned()));
            assert_eq!(got, expected, "{input}");
        }
    }
}
