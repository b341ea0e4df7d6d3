//! OAuth2 client credentials as the sandbox does them: `POST /oauth2/token` (and the deprecated
//! `/oauth/token`) and the bearer check in front of `/v1` and `/simulator`.

use super::body::Json;
use super::error::{ApiError, ApiResult};
use super::{AppState, Shared};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::post;
use base64::Engine;
use serde_json::{Value, json};

/// Tokens live one hour on the mock's clock; the answer says 3599 as the sandbox does.
const TOKEN_LIFETIME_SECONDS: i64 = 3600;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/oauth2/token", post(token))
        .route("/oauth/token", post(token))
}

async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let (id, secret) = basic_credentials(&headers)
        .or_else(|| form_credentials(&body))
        .ok_or_else(ApiError::invalid_client)?;
    if id != state.config.client_id || secret != state.config.client_secret {
        return Err(ApiError::invalid_client());
    }
    let form = parse_form(&body);
    match form
        .iter()
        .find(|(k, _)| k == "grant_type")
        .map(|(_, v)| v.as_str())
    {
        Some("client_credentials") => {}
        Some(other) => {
            return Err(ApiError::invalid_model(
                "grant_type",
                format!("'{other}' is not supported; use client_credentials"),
            ));
        }
        None => return Err(ApiError::invalid_model("grant_type", "can't be blank")),
    }
    let token = uuid::Uuid::new_v4().simple().to_string();
    let expires = state.clock.now() + chrono::Duration::seconds(TOKEN_LIFETIME_SECONDS);
    state.store().tokens.insert(token.clone(), expires);
    Ok(Json(json!({
        "access_token": token,
        "expires_in": TOKEN_LIFETIME_SECONDS - 1,
        "scope": "partners",
        "token_type": "bearer",
    })))
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

/// Some old clients send the credentials in the form body instead.
fn form_credentials(body: &Bytes) -> Option<(String, String)> {
    let form = parse_form(body);
    let get = |k: &str| {
        form.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    Some((get("client_id")?, get("client_secret")?))
}

fn parse_form(body: &Bytes) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(body);
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode_form(k), decode_form(v))
        })
        .collect()
}

fn decode_form(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The bearer check: none → `token_required`; unknown or expired → `invalid_token`.
pub async fn require_bearer(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    match check_bearer(&state, request.headers()) {
        Ok(()) => next.run(request).await,
        Err(e) => axum::response::IntoResponse::into_response(e),
    }
}

fn check_bearer(state: &Shared, headers: &HeaderMap) -> ApiResult<()> {
    let value = headers
        .get(AUTHORIZATION)
        .ok_or_else(ApiError::token_required)?;
    let value = value.to_str().map_err(|_| ApiError::invalid_token())?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or_else(ApiError::invalid_token)?
        .trim();
    let now = state.clock.now();
    let mut store = state.store();
    match store.tokens.get(token) {
        Some(expires) if *expires > now => Ok(()),
        Some(_) => {
            store.tokens.remove(token);
            Err(ApiError::invalid_token())
        }
        None => Err(ApiError::invalid_token()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_decoding_handles_escapes_and_truncated_percent() {
        assert_eq!(decode_form("a%20b+c"), "a b c");
        assert_eq!(decode_form("100%"), "100%");
        assert_eq!(decode_form("%zz"), "%zz");
        assert_eq!(decode_form("%4"), "%4");
        assert_eq!(decode_form("%aé"), "%aé");
    }
}
