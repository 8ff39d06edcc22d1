//! A request body that must arrive whole by a deadline (reading it after
//! the deadline fails, and the request is answered 408, whatever the
//! handler made of the failure, on a connection then closed); and a
//! response body that keeps its connection counted as answering until it
//! has been sent.

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
use bytes::BytesMut;
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use tokio::time::{Instant, Sleep};

use super::activity::Activity;
use crate::config::ConnectionSettings;

/// Data is handed on in pieces of at least this much (or whatever is left
/// at the end).
const PIECE_BYTES: usize = 16 * 1024;

pub struct DeadlineBody {
    body: Incoming,
    deadline: Pin<Box<Sleep>>,
    activity: Arc<Activity>,
    /// What has arrived and is not yet handed on. Each chunk hyper hands
    /// over is a view into its read buffer, which it cannot reuse while any
    /// view is held: a body sent a byte at a time and gathered whole kept a
    /// buffer (~8 KB) per byte, and even copied, a piece per byte costs its
    /// own allocation and place in the gathering list. Copied in here, a
    /// body costs what was sent.
    gathered: BytesMut,
    /// Trailers that came after data still gathered.
    trailers: Option<Frame<Bytes>>,
    done: bool,
}

impl DeadlineBody {
    pub fn new(body: Incoming, deadline: Instant, activity: Arc<Activity>) -> DeadlineBody {
        DeadlineBody {
            body,
            deadline: Box::pin(tokio::time::sleep_until(deadline)),
            activity,
            gathered: BytesMut::new(),
            trailers: None,
            done: false,
        }
    }

    fn hand_on(&mut self) -> Frame<Bytes> {
        Frame::data(self.gathered.split().freeze())
    }

    /// The body is all in: what is left of it, if anything.
    fn finish(&mut self) -> Option<Frame<Bytes>> {
        self.done = true;
        self.activity.body_arrived();
        (!self.gathered.is_empty()).then(|| self.hand_on())
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
        let this = &mut *self;
        if let Some(trailers) = this.trailers.take() {
            return Poll::Ready(Some(Ok(trailers)));
        }
        if this.done {
            return Poll::Ready(None);
        }
        loop {
            match Pin::new(&mut this.body).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                    Ok(data) => {
                        this.gathered.extend_from_slice(&data);
                        if this.body.is_end_stream() {
                            return Poll::Ready(this.finish().map(Ok));
                        }
                        if this.gathered.len() >= PIECE_BYTES {
                            return Poll::Ready(Some(Ok(this.hand_on())));
                        }
                    }
                    Err(trailers) => {
                        if this.gathered.is_empty() {
                            return Poll::Ready(Some(Ok(trailers)));
                        }
                        this.trailers = Some(trailers);
                        return Poll::Ready(Some(Ok(this.hand_on())));
                    }
                },
                Poll::Ready(Some(Err(error))) => return Poll::Ready(Some(Err(error.into()))),
                Poll::Ready(None) => return Poll::Ready(this.finish().map(Ok)),
                Poll::Pending => break,
            }
        }
        if this.deadline.as_mut().poll(cx).is_ready() {
            this.activity.body_was_late();
            return Poll::Ready(Some(Err(BodyLate.into())));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.done && self.trailers.is_none()
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

/// A response's body, whose connection counts as answering a request until
/// hyper has taken all of it (and dropped it). Counted idle as soon as the
/// handler returned, a connection still sending its answer could be closed
/// to make room for another, and its client would get half an answer: under
/// a flood of connections, every connection that turns idle is at once the
/// one closed next.
pub struct Answering {
    body: Body,
    activity: Arc<Activity>,
    limits: ConnectionSettings,
}

/// `response`, its connection answering until its body has been sent.
pub fn answering(
    response: Response,
    activity: Arc<Activity>,
    limits: ConnectionSettings,
) -> Response {
    response.map(|body| {
        Body::new(Answering {
            body,
            activity,
            limits,
        })
    })
}

impl http_body::Body for Answering {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

impl Drop for Answering {
    fn drop(&mut self) {
        self.activity.request_answered(&self.limits);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connections::{activity::Phase, LIMITS};

    #[tokio::test]
    async fn a_connection_answers_until_its_responses_body_is_sent() {
        let activity = Arc::new(Activity::new());
        activity.request_started(false);
        let response = answering(
            "the whole answer".into_response(),
            Arc::clone(&activity),
            LIMITS,
        );
        assert_eq!(activity.phase(), Phase::Busy, "handed to hyper, not sent");
        let sent = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        assert_eq!(&sent[..], b"the whole answer");
        assert_eq!(activity.phase(), Phase::Idle);
    }
}
