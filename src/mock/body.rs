//! Bodies in and out: [`JsonBody`] turns any request body into a JSON value or an
//! `invalid_json` envelope, `opt_str`, `req_str` and the other field helpers read typed fields
//! or say which is wrong, and [`Json`] is a JSON answer.

use super::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

/// A JSON answer: the bytes and `Content-Type` axum's `Json` gives, written by
/// [`crate::json`] into one buffer (axum's goes through serde into a buffer that grows from
/// 128 bytes, a piece at a time; every answer of the mock is one).
#[derive(Debug)]
pub struct Json<T = Value>(pub T);

impl IntoResponse for Json<Value> {
    fn into_response(self) -> Response {
        Json::value(&self.0).into_response()
    }
}

/// A JSON answer already written: a resource the mock keeps is written from the store, under
/// its lock, rather than from a copy of it.
impl Json<Bytes> {
    pub fn value(value: &Value) -> Self {
        Json(Bytes::from(crate::json::to_vec(value)))
    }

    pub fn object(map: &Map<String, Value>) -> Self {
        let mut out = Vec::with_capacity(1024);
        crate::json::write_object(&mut out, map);
        Json(Bytes::from(out))
    }
}

impl IntoResponse for Json<Bytes> {
    fn into_response(self) -> Response {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            self.0,
        )
            .into_response()
    }
}

/// The request body as JSON. An empty body reads as `{}`.
#[derive(Debug)]
pub struct JsonBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| ApiError::too_large())?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(JsonBody(Value::Object(Map::new())));
        }
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(ApiError::invalid_json)
    }
}

impl JsonBody {
    /// The body as an object, or a `type_error`.
    pub fn object(&self) -> Result<&Map<String, Value>, ApiError> {
        self.0
            .as_object()
            .ok_or_else(|| ApiError::type_error("body", "a JSON object"))
    }
}

/// A string field that may be absent or null.
pub fn opt_str<'a>(m: &'a Map<String, Value>, field: &str) -> Result<Option<&'a str>, ApiError> {
    match m.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::type_error(field, "a string")),
    }
}

/// A string field that must be present and not blank.
pub fn req_str<'a>(m: &'a Map<String, Value>, field: &str) -> Result<&'a str, ApiError> {
    match opt_str(m, field)? {
        Some(s) if !s.trim().is_empty() => Ok(s),
        _ => Err(ApiError::invalid_model(field, "can't be blank")),
    }
}

/// A boolean field that may be absent or null.
pub fn opt_bool(m: &Map<String, Value>, field: &str) -> Result<Option<bool>, ApiError> {
    match m.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(ApiError::type_error(field, "a boolean")),
    }
}

/// `invalid_model` in Solaris' wording for an enum: "is not included in the list [...]".
pub fn not_in_list(field: &str, allowed: &[&str]) -> ApiError {
    ApiError::invalid_model(
        field,
        format!("is not included in the list [{}]", allowed.join(", ")),
    )
}
