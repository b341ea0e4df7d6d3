//! Registering the customer as a person: the consents, the mandatory data points of each
//! country, the rules of the person's data, updates, due diligence.

use super::params::{Day, JsonValue, Market, SwitchExtra};
use super::persona::{customer_from, remove_path, set_path};
use super::{Failure, Journey, StepResult};
use chrono::NaiveDate;
use cucumber::{given, then, when};
use reqwest::Method;
use serde_json::{Map, Value, json};

#[given(expr = "a {market} retail customer who agreed to every legal screen")]
async fn customer_consented(w: &mut Journey, market: Market) {
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let bytes = w.persona_bytes();
    w.customer = customer_from(market, &now, bytes);
}

#[given(expr = "the customer's {string} is {value}")]
async fn customer_data(w: &mut Journey, data_point: String, value: JsonValue) {
    set_path(&mut w.customer, &data_point, value.0);
}

#[given(expr = "the customer gives no {string}")]
async fn customer_leaves_out(w: &mut Journey, data_point: String) -> StepResult {
    if remove_path(&mut w.customer, &data_point) {
        Ok(())
    } else {
        Err(Failure(format!(
            "the generated customer has no data point `{data_point}` to leave out"
        )))
    }
}

#[when("the partner registers the customer as a person")]
async fn register(w: &mut Journey) -> StepResult {
    let body = w.customer.clone();
    let answer = w.call(Method::POST, "/v1/persons", Some(body)).await?;
    if answer.status == 201 {
        w.person_id = answer
            .body
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_string);
    }
    w.keep(answer);
    Ok(())
}

#[given(expr = "{int} persons identical to the customer are already registered")]
async fn identical_registered(w: &mut Journey, count: usize) -> StepResult {
    for _ in 0..count {
        let body = w.customer.clone();
        w.expect(Method::POST, "/v1/persons", Some(body), 201)
            .await?;
    }
    Ok(())
}

#[given("the customer is registered as a person")]
async fn registered(w: &mut Journey) -> StepResult {
    let body = w.customer.clone();
    let person = w
        .expect(Method::POST, "/v1/persons", Some(body), 201)
        .await?;
    w.person_id = person.get("id").and_then(Value::as_str).map(str::to_string);
    Ok(())
}

#[when(expr = "the partner registers the customer as a person without {string}")]
async fn register_without(w: &mut Journey, data_point: String) -> StepResult {
    let mut body = w.customer.clone();
    if !remove_path(&mut body, &data_point) {
        return Err(Failure(format!(
            "the generated customer has no data point `{data_point}` to leave out"
        )));
    }
    w.send(Method::POST, "/v1/persons", Some(body)).await?;
    Ok(())
}

#[then("the person is registered")]
async fn is_registered(w: &mut Journey) -> StepResult {
    let answer = w.last_answer()?;
    if answer.status != 201 {
        return Err(Failure(format!(
            "expected HTTP 201 from {}, got {}{}",
            w.last_call,
            answer.status,
            super::http::explain_error(&answer.body)
        )));
    }
    let person = answer.body;
    let id = w.person()?;
    // What the partner sent comes back as sent (timestamps with milliseconds).
    for field in [
        "first_name",
        "last_name",
        "birth_date",
        "birth_city",
        "nationality",
        "employment_status",
    ] {
        if person.get(field) != w.customer.get(field) {
            return Err(Failure(format!(
                "the person {id} shows {field} = {}, but the partner sent {}",
                person.get(field).unwrap_or(&Value::Null),
                w.customer.get(field).unwrap_or(&Value::Null)
            )));
        }
    }
    let fetched = w
        .expect(Method::GET, &format!("/v1/persons/{id}"), None, 200)
        .await?;
    if fetched != person {
        return Err(Failure(format!(
            "GET /v1/persons/{id} differs from what the create answered"
        )));
    }
    Ok(())
}

#[then(expr = "the person's due diligence reads {string}, {string} and {string}")]
async fn due_diligence(
    w: &mut Journey,
    screening: String,
    risk: String,
    vetting: String,
) -> StepResult {
    let id = w.person()?;
    let person = w
        .expect(Method::GET, &format!("/v1/persons/{id}"), None, 200)
        .await?;
    for (field, want) in [
        ("screening_progress", screening),
        ("risk_classification_status", risk),
        ("customer_vetting_status", vetting),
    ] {
        let got = person.get(field).and_then(Value::as_str).unwrap_or("null");
        if got != want {
            return Err(Failure(format!("expected {field} to be {want}, got {got}")));
        }
    }
    Ok(())
}

/// The value at a dotted path of a JSON value.
fn at_path<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |node, part| node.get(part))
}

#[then(expr = "the person's {string} reads {value}")]
async fn person_reads(w: &mut Journey, data_point: String, expected: JsonValue) -> StepResult {
    let answer = w.last_answer()?;
    if !(200..300).contains(&answer.status) {
        return Err(Failure(format!(
            "expected the person from {}, got HTTP {}{}",
            w.last_call,
            answer.status,
            super::http::explain_error(&answer.body)
        )));
    }
    let got = at_path(&answer.body, &data_point).unwrap_or(&Value::Null);
    if *got == expected.0 {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected the person's {data_point} to read {}, {} shows {got}",
            expected.0, w.last_call
        )))
    }
}

/// A PATCH body that sets one dotted path: `address.city` → `{"address": {"city": …}}`.
fn change_of(data_point: &str, value: Value) -> Value {
    let mut body = json!({});
    set_path(&mut body, data_point, value);
    body
}

async fn update(w: &mut Journey, body: Value) -> StepResult {
    let id = w.person()?;
    w.send(Method::PATCH, &format!("/v1/persons/{id}"), Some(body))
        .await?;
    Ok(())
}

#[when(expr = "the partner updates the person's {string} to {value}")]
async fn update_field(w: &mut Journey, data_point: String, value: JsonValue) -> StepResult {
    update(w, change_of(&data_point, value.0)).await
}

#[when(expr = "the partner changes the person's employment status to {string} {switch_extra}")]
async fn switch_employment(w: &mut Journey, status: String, extra: SwitchExtra) -> StepResult {
    let mut body = Map::new();
    body.insert("employment_status".into(), json!(status));
    match extra {
        SwitchExtra::Nothing => {}
        SwitchExtra::NaceCode => {
            body.insert("nace_code".into(), json!("62.01"));
        }
        SwitchExtra::IndustryCleared => {
            body.insert("industry".into(), Value::Null);
            body.insert("industry_key".into(), Value::Null);
        }
        SwitchExtra::OnlyIndustryCleared => {
            body.insert("industry".into(), Value::Null);
        }
    }
    update(w, Value::Object(body)).await
}

/// Today on the bank's clock: the mock's `GET /simulator/clock` when the target has the
/// simulation controls (scenarios elsewhere may have moved it), else today in UTC.
async fn bank_today(w: &mut Journey) -> Result<NaiveDate, Failure> {
    if !w.ctx.client.target().simulation {
        return Ok(chrono::Utc::now().date_naive());
    }
    let clock = w.expect(Method::GET, "/simulator/clock", None, 200).await?;
    clock
        .get("now")
        .and_then(Value::as_str)
        .and_then(|now| chrono::DateTime::parse_from_rfc3339(now).ok())
        .map(|now| now.with_timezone(&chrono::Utc).date_naive())
        .ok_or_else(|| Failure(format!("GET /simulator/clock answered no time: {clock}")))
}

#[when(expr = "the partner records the AML confirmation dated {day}")]
async fn aml_confirmed(w: &mut Journey, day: Day) -> StepResult {
    // Other scenarios may move the shared clock between reading it and sending the date; the
    // step sends again if the bank's day changed meanwhile.
    for _ in 0..3 {
        let today = bank_today(w).await?;
        let date = today + chrono::Duration::days(day.0);
        update(
            w,
            json!({ "aml_confirmed_on": date.format("%Y-%m-%d").to_string() }),
        )
        .await?;
        let answered = (w.last, w.last_call.clone(), w.last_sent.clone());
        let still_today = bank_today(w).await? == today;
        (w.last, w.last_call, w.last_sent) = answered;
        if still_today {
            return Ok(());
        }
    }
    Err(Failure(
        "the bank's clock kept moving while the AML confirmation was sent".into(),
    ))
}

#[then(expr = "the refusal names the residency countries allowed for branch {string}: {string}")]
async fn residency_listed(w: &mut Journey, branch: String, countries: String) -> StepResult {
    let answer = w.last_answer()?;
    let list = countries
        .split(',')
        .map(|c| format!("\"{}\"", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let wanted = format!(
        "Residency Country is not allowed for this branch,allowed residency country values for branch \"{branch}\" are [{list}]"
    );
    let message = answer
        .body
        .pointer("/errors/0/source/message")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if message == wanted {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected the refusal to read `{wanted}`, got HTTP {}{}",
            answer.status,
            super::http::explain_error(&answer.body)
        )))
    }
}
