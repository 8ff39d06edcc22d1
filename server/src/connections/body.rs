//! A request body that must arrive whole by a deadline. Reading it after
//! the deadline fails, and the request is answered 408 (whatever the
//! handler made of the failure) on a connection then closed.

use std::{
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};

use axum::{
    body::{Body, Bytes},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use tokio::time::{Instant, Sleep};

use super::activity::Activity;

pub struct DeadlineBody {
    body: Incoming,
    deadline: Pin<Box<Sleep>>,
    activity: Arc<Activity>,
}

impl DeadlineBody {
    pub fn new(body: Incoming, deadline: Instant, activity: Arc<Activity>) -> DeadlineBody {
        DeadlineBody {
            body,
            deadline: Box::pin(tokio::time::sleep_until(deadline)),
            activity,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the request's body did not arrive in time")]
pub struct BodyLate;

impl http_body::Body for DeadlineBody {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::BoxError>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.body).poll_frame(cx) {
            if frame.is_none() || self.body.is_end_stream() {
                self.activity.body_arrived();
            }
            // Each chunk hyper hands over is a view into its read buffer,
            // which it cannot reuse while any view is held: a body sent a
            // byte at a time, gathered whole, kept a buffer (~8 KB) per
            // byte. A copy holds only what arrived.
            let frame = frame.map(|frame| {
                frame
                    .map(|frame| frame.map_data(|data| Bytes::copy_from_slice(&data)))
                    .map_err(Into::into)
            });
            return Poll::Ready(frame);
        }
        if self.deadline.as_mut().poll(cx).is_ready() {
            self.activity.body_was_late();
            return Poll::Ready(Some(Err(BodyLate.into())));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// Whether a request needs the deadline: one without a body does not.
pub fn has_body(body: &Incoming) -> bool {
    !http_body::Body::is_end_stream(body)
}

pub fn wrap(body: Incoming, deadline: Instant, activity: Arc<Activity>) -> Body {
    Body::new(DeadlineBody::new(body, deadline, activity))
}

/// The answer to a request whose body came too late.
pub fn too_late() -> Response {
    (
        StatusCode::REQUEST_TIMEOUT,
        [(header::CONNECTION, HeaderValue::from_static("close"))],
        "The request's body did not arrive in time.\n",
    )
        .into_response()
}
