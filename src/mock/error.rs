//! The mock's one error type, [`ApiError`], rendered as the Solaris error envelope.
//!
//! Every 4xx the mock gives goes through here, so no HTML page, plain text or stack trace can
//! leave it: `{"errors": [{"id", "status", "code", "title", "detail", "source"}]}`.

use super::body::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// A refusal in Solaris' words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub title: &'static str,
    pub detail: String,
    /// `source.field` and `source.message`, when one field is to blame.
    pub source: Option<(String, String)>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, title: &'static str, detail: String) -> Self {
        ApiError {
            status,
            code,
            title,
            detail,
            source: None,
        }
    }

    /// 400 `invalid_model`: `field` failed validation; `message` reads after the field name.
    pub fn invalid_model(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        ApiError {
            source: Some((field.to_string(), message.clone())),
            ..Self::new(
                StatusCode::BAD_REQUEST,
                "invalid_model",
                "Invalid Model",
                format!("{field} {message}"),
            )
        }
    }

    /// 400 `type_error`: a field has the wrong JSON type.
    pub fn type_error(field: &str, expected: &str) -> Self {
        let message = format!("must be {expected}");
        ApiError {
            source: Some((field.to_string(), message.clone())),
            ..Self::new(
                StatusCode::BAD_REQUEST,
                "type_error",
                "Type Error",
                format!("{field} {message}"),
            )
        }
    }

    /// 400 `invalid_json`: the body is not JSON.
    pub fn invalid_json(why: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            "Invalid JSON",
            format!("the request body is not valid JSON: {why}"),
        )
    }

    /// 400 `validation_error`: the request is well-formed but not allowed in this state.
    pub fn validation(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "validation_error",
            "Validation Error",
            detail.into(),
        )
    }

    /// 401 `token_required`.
    pub fn token_required() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "token_required",
            "Token Required",
            "No Authorization header was provided".into(),
        )
    }

    /// 401 `invalid_token`.
    pub fn invalid_token() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "Invalid Token",
            "The Access Token is expired or malformed".into(),
        )
    }

    /// 401 `invalid_client`: wrong client credentials at the token endpoint.
    pub fn invalid_client() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Invalid Client",
            "Client authentication failed: unknown client id or wrong client secret".into(),
        )
    }

    /// 403 `unauthorized_action`, with why.
    pub fn unauthorized_action(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "unauthorized_action",
            "Unauthorized Action",
            detail.into(),
        )
    }

    /// 404 `model_not_found` for an unknown id of a known resource.
    pub fn model_not_found(model: &str, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "model_not_found",
            "Model Not Found",
            format!("Couldn't find 'Solaris::{model}' for id '{id}'."),
        )
    }

    /// 404 `model_not_found` for a resource that does not exist yet (e.g. no mobile number).
    pub fn none_yet(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "model_not_found",
            "Model Not Found",
            detail.into(),
        )
    }

    /// 404 `not_found` for an unknown route.
    pub fn route_not_found(method: &str, path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "Not Found",
            format!("there is no route {method} {path}"),
        )
    }

    /// 405 `method_not_allowed`.
    pub fn method_not_allowed(method: &str, path: &str) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "Method Not Allowed",
            format!("{method} is not allowed on {path}"),
        )
    }

    /// Any other refusal of the HTTP layer (status kept, code `bad_request` for 400,
    /// `service_unavailable` for 503, `gateway_timeout` for 504).
    pub fn rejected(status: StatusCode, detail: String) -> Self {
        let (code, title) = match status {
            StatusCode::BAD_REQUEST => ("bad_request", "Bad Request"),
            StatusCode::NOT_FOUND => ("not_found", "Not Found"),
            StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "Method Not Allowed"),
            StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "Payload Too Large"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                ("unsupported_media_type", "Unsupported Media Type")
            }
            StatusCode::SERVICE_UNAVAILABLE => ("service_unavailable", "Service Unavailable"),
            StatusCode::GATEWAY_TIMEOUT => ("gateway_timeout", "Gateway Timeout"),
            _ => ("bad_request", "Bad Request"),
        };
        Self::new(status, code, title, detail)
    }

    /// 413 `payload_too_large`.
    pub fn too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "Payload Too Large",
            "the request body is larger than the mock accepts (2 MiB)".into(),
        )
    }

    /// The envelope as JSON.
    pub fn body(&self) -> serde_json::Value {
        let mut error = json!({
            "id": format!("{}ex", uuid::Uuid::new_v4().simple()),
            "status": self.status.as_u16(),
            "code": self.code,
            "title": self.title,
            "detail": self.detail,
        });
        if let Some((field, message)) = &self.source {
            error["source"] = json!({ "field": field, "message": message });
        }
        json!({ "errors": [error] })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body())).into_response()
    }
}

/// What handlers return.
pub type ApiResult<T> = Result<T, ApiError>;
