//! Checking a submitted request against its service definition, with every
//! failure as one entry of the Open311 error array.

use super::*;
use crate::catalog::Datatype;
use crate::request::Reporter;
use crate::text::clip;

/// The longest description Open311 allows, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 4000;

pub(super) fn unknown_service(catalog: &Catalog, code: &str) -> String {
    let hint = crate::catalog::did_you_mean(code, catalog.services().iter().map(|s| s.code.as_str()))
        .map(|s| format!(" (did you mean '{s}'?)"))
        .unwrap_or_default();
    format!("service_code '{}' not found{hint}; GET services lists the codes", clip(code, 64))
}

fn bad(errors: &mut Vec<Open311Error>, description: String) {
    errors.push(Open311Error { code: 400, description });
}

/// Checks a submission against the catalog: a known service that the
/// reporter may request, a location, a description within 4,000 characters,
/// and every attribute answered as its definition requires. All failures are
/// returned together as an Open311 error array in a
/// [`ErrorKind::Validation`](crate::ErrorKind::Validation) error.
///
/// ```
/// use civic311::{AttributeAnswer, Catalog, open311::{NewRequest, validate_request}};
///
/// let catalog = Catalog::riverton()?;
/// let mut req = NewRequest::new("ST-POTHOLE");
/// let err = validate_request(&catalog, &req).unwrap_err();
/// let descriptions: Vec<&str> = err.open311_errors().iter().map(|e| e.description.as_str()).collect();
/// assert!(descriptions.contains(&"a location is required: send lat and long, address_string, or address_id"));
/// assert!(descriptions.iter().any(|d| d.starts_with("attribute[SIZE]")));
///
/// req.lat = Some(38.95);
/// req.long = Some(-90.95);
/// req.attributes.insert("SIZE".into(), AttributeAnswer::One("large".into()));
/// req.attributes.insert("LANE_POSITION".into(), AttributeAnswer::One("wheel-path".into()));
/// validate_request(&catalog, &req)?;
/// # Ok::<(), civic311::Error>(())
/// ```
pub fn validate_request(catalog: &Catalog, req: &NewRequest) -> Result<()> {
    let mut errors = Vec::new();
    if req.service_code.trim().is_empty() {
        bad(
            &mut errors,
            "service_code is missing; every request names the service it is for (GET services lists them)".into(),
        );
        return Err(Error::validation(errors));
    }
    let Some(service) = catalog.service(&req.service_code) else {
        return Err(Error::validation(vec![Open311Error {
            code: 404,
            description: unknown_service(catalog, &req.service_code),
        }]));
    };
    if service.staff_only && req.reporter != Reporter::Staff {
        errors.push(Open311Error {
            code: 403,
            description: format!(
                "service '{}' ({}) is for city staff only; residents cannot request it",
                service.code, service.name
            ),
        });
    }

    match (req.lat, req.long) {
        (Some(lat), Some(long)) => {
            if !(-90.0..=90.0).contains(&lat) || !lat.is_finite() {
                bad(&mut errors, format!("lat {lat} is off the globe; latitude is -90 to 90 (WGS 84)"));
            }
            if !(-180.0..=180.0).contains(&long) || !long.is_finite() {
                bad(&mut errors, format!("long {long} is off the globe; longitude is -180 to 180 (WGS 84)"));
            }
        }
        (Some(_), None) => bad(&mut errors, "lat is given without long; send both".into()),
        (None, Some(_)) => bad(&mut errors, "long is given without lat; send both".into()),
        (None, None) => {
            let has_address =
                req.address_string.as_deref().is_some_and(|a| !a.trim().is_empty()) || req.address_id.is_some();
            if !has_address {
                bad(&mut errors, "a location is required: send lat and long, address_string, or address_id".into());
            }
        }
    }

    if let Some(d) = &req.description {
        let n = d.chars().count();
        if n > MAX_DESCRIPTION_CHARS {
            bad(&mut errors, format!("description is {n} characters; Open311 allows at most {MAX_DESCRIPTION_CHARS}"));
        }
    }
    if let Some(email) = &req.email {
        let ok = email.split_once('@').is_some_and(|(user, host)| {
            !user.is_empty() && host.contains('.') && !host.starts_with('.') && !host.ends_with('.')
        });
        if !ok || email.chars().any(char::is_whitespace) {
            bad(
                &mut errors,
                format!("email '{}' is not an e-mail address; write it like name@example.org", clip(email, 64)),
            );
        }
    }
    if let Some(url) = &req.media_url
        && (!(url.starts_with("https://") || url.starts_with("http://")) || url.chars().any(char::is_whitespace))
    {
        bad(
            &mut errors,
            format!("media_url '{}' is not a web address; give an http or https URL of the photo", clip(url, 64)),
        );
    }

    for attr in &service.attributes {
        let answer = req.attributes.get(&attr.code);
        let label =
            if attr.description.is_empty() { String::new() } else { format!(" ({})", clip(&attr.description, 80)) };
        let Some(answer) = answer else {
            if attr.required && attr.variable {
                bad(&mut errors, format!("attribute[{}]{label} is required", attr.code));
            }
            continue;
        };
        if !attr.variable {
            bad(&mut errors, format!("attribute[{}] is informational and takes no answer; leave it out", attr.code));
            continue;
        }
        let values = answer.values();
        let blank = values.iter().all(|v| v.trim().is_empty());
        if blank {
            if attr.required {
                bad(&mut errors, format!("attribute[{}]{label} is required but empty", attr.code));
            }
            continue;
        }
        if values.len() > 1 && attr.datatype != Datatype::Multivaluelist {
            bad(&mut errors, format!("attribute[{}] takes one value, got {}", attr.code, values.len()));
            continue;
        }
        let allowed = || attr.values.iter().map(|v| v.key.as_str()).collect::<Vec<_>>().join(", ");
        for value in values {
            let shown = clip(value, 64);
            match attr.datatype {
                Datatype::Number => {
                    if !value.trim().parse::<f64>().is_ok_and(f64::is_finite) {
                        bad(&mut errors, format!("attribute[{}] must be a number, got '{shown}'", attr.code));
                    }
                }
                Datatype::Datetime => {
                    if DateTime::parse(value).is_err() {
                        bad(
                            &mut errors,
                            format!(
                                "attribute[{}] must be a date-time like 2026-03-14T09:30:00-05:00, got '{shown}'",
                                attr.code
                            ),
                        );
                    }
                }
                Datatype::String => {
                    if value.contains(['\n', '\r']) {
                        bad(
                            &mut errors,
                            format!("attribute[{}] is a single line of text; use no line breaks", attr.code),
                        );
                    } else if value.chars().count() > MAX_DESCRIPTION_CHARS {
                        bad(
                            &mut errors,
                            format!("attribute[{}] is longer than {MAX_DESCRIPTION_CHARS} characters", attr.code),
                        );
                    }
                }
                Datatype::Text => {
                    if value.chars().count() > MAX_DESCRIPTION_CHARS {
                        bad(
                            &mut errors,
                            format!("attribute[{}] is longer than {MAX_DESCRIPTION_CHARS} characters", attr.code),
                        );
                    }
                }
                Datatype::Singlevaluelist | Datatype::Multivaluelist => {
                    if !attr.values.iter().any(|v| v.key == *value) {
                        bad(
                            &mut errors,
                            format!("attribute[{}] has no value '{shown}'; use one of: {}", attr.code, allowed()),
                        );
                    }
                }
            }
        }
    }
    for code in req.attributes.keys() {
        if !service.attributes.iter().any(|a| a.code == *code) {
            let known: Vec<&str> = service.attributes.iter().map(|a| a.code.as_str()).collect();
            let listing =
                if known.is_empty() { "it has none".to_string() } else { format!("it has: {}", known.join(", ")) };
            bad(
                &mut errors,
                format!("attribute[{}] is not an attribute of service '{}'; {listing}", clip(code, 64), service.code),
            );
        }
    }

    if errors.is_empty() { Ok(()) } else { Err(Error::validation(errors)) }
}
