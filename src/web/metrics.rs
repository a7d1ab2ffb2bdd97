//! `/-/metrics`: the server's metrics in the Prometheus text format, for monitoring. Only addresses in
//! `metrics_allow` and admins get here (the route table in `web::auth` says so). The gauges that describe the
//! wiki (index lag, delivery queues, a replica's lag behind its primary) are read now, off the async runtime, then everything is encoded.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::{AppState, PageError, blocking};
use crate::metrics::QueueDepths;

/// `GET /-/metrics`.
pub async fn metrics(State(state): State<AppState>) -> Result<Response, PageError> {
    let (site, auth, metrics) = (state.site.clone(), state.auth.clone(), state.metrics.clone());
    let replica = state.replica.clone();
    let text = blocking(move || {
        // A busy database or a failed walk leaves the last values in place: the rest of the scrape still counts.
        match site.index_lags(&auth) {
            Ok(lags) => metrics.set_index_lags(lags),
            Err(err) => tracing::warn!(error = %err, "metrics: index lags not read"),
        }
        match auth.state.mail_queue_depth().and_then(|mail| Ok((mail, auth.state.webhook_queue_depth()?))) {
            Ok((mail, webhooks)) => metrics.set_queue_depths(QueueDepths { mail, webhooks }),
            Err(err) => tracing::warn!(error = %err, "metrics: queue depths not read"),
        }
        if let Some(replica) = &replica {
            let status = replica.status();
            metrics.set_replication_lag(status.lag_commits, status.lag_seconds);
        }
        Ok(metrics.encode())
    })
    .await?;
    let mut res = text.into_response();
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(crate::metrics::CONTENT_TYPE));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}
