//! Connection deadlines for the receiver's listener, against slow senders (slowloris): a
//! connection that sends nothing for `idle` is closed, and so is one still sending a request
//! (headers or body) `request` after its first byte. axum's server sets no header timeout of its
//! own, and the route's body timeout only starts once the headers are in.
//!
//! And against fast senders: each read takes at most [`MAX_READ`] bytes. The HTTP server grows a
//! connection's read buffer while reads fill it (up to hundreds of kilobytes), so a flood of
//! large bodies over many connections would hold that much per connection outside the
//! receiver's in-flight caps; small reads keep each buffer small.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::serve::Listener;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{Instant, Sleep};

/// The most bytes one read takes from a connection.
pub const MAX_READ: usize = 16 * 1024;

/// A TCP listener whose connections carry [`Deadlines`].
pub struct DeadlineListener {
    inner: TcpListener,
    idle: Duration,
    request: Duration,
}

impl DeadlineListener {
    pub fn new(inner: TcpListener, idle: Duration, request: Duration) -> Self {
        Self {
            inner,
            idle,
            request,
        }
    }
}

impl Listener for DeadlineListener {
    type Io = Deadlines<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (io, addr) = Listener::accept(&mut self.inner).await;
        (Deadlines::new(io, self.idle, self.request), addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// A stream whose reads fail with `TimedOut` after `idle` without a byte, or when a request has
/// been arriving for longer than `request` (from its first byte until the server's next write).
pub struct Deadlines<S> {
    inner: S,
    idle: Duration,
    request: Duration,
    last_read: Instant,
    request_started: Option<Instant>,
    timer: Pin<Box<Sleep>>,
}

impl<S> Deadlines<S> {
    pub fn new(inner: S, idle: Duration, request: Duration) -> Self {
        let now = Instant::now();
        Self {
            inner,
            idle,
            request,
            last_read: now,
            request_started: None,
            timer: Box::pin(tokio::time::sleep_until(now + idle)),
        }
    }

    fn deadline(&self) -> Instant {
        let idle = self.last_read + self.idle;
        match self.request_started {
            Some(started) => idle.min(started + self.request),
            None => idle,
        }
    }
}

fn timed_out() -> io::Error {
    io::Error::new(
        io::ErrorKind::TimedOut,
        "the sender was too slow; connection closed",
    )
}

impl<S: AsyncRead + Unpin> AsyncRead for Deadlines<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = if buf.remaining() > MAX_READ {
            // A window of the caller's buffer, no larger than MAX_READ.
            let (polled, n) = {
                let mut window = buf.take(MAX_READ);
                let polled = Pin::new(&mut self.inner).poll_read(cx, &mut window);
                (polled, window.filled().len())
            };
            if matches!(polled, Poll::Ready(Ok(()))) {
                // SAFETY: `window` borrows `buf`'s unfilled part and just initialised `n` bytes
                // of it.
                unsafe { buf.assume_init(n) };
                buf.advance(n);
            }
            polled
        } else {
            Pin::new(&mut self.inner).poll_read(cx, buf)
        };
        match polled {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    let now = Instant::now();
                    self.last_read = now;
                    let started = *self.request_started.get_or_insert(now);
                    if now.duration_since(started) > self.request {
                        return Poll::Ready(Err(timed_out()));
                    }
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => {
                let deadline = self.deadline();
                if Instant::now() >= deadline {
                    return Poll::Ready(Err(timed_out()));
                }
                if self.timer.deadline() != deadline {
                    self.timer.as_mut().reset(deadline);
                }
                match self.timer.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(timed_out())),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Deadlines<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(written, Poll::Ready(Ok(n)) if n > 0) {
            // The server is answering: the request it read is complete; the next one starts
            // with its own first byte. The answer also counts as activity for the idle clock.
            self.request_started = None;
            self.last_read = Instant::now();
        }
        written
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(written, Poll::Ready(Ok(n)) if n > 0) {
            self.request_started = None;
            self.last_read = Instant::now();
        }
        written
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    const MS: Duration = Duration::from_millis(1);

    #[tokio::test]
    async fn a_silent_peer_times_out() {
        let (_client, server) = tokio::io::duplex(64);
        let mut s = Deadlines::new(server, 200 * MS, 1000 * MS);
        let started = Instant::now();
        let err = s.read(&mut [0u8; 8]).await.expect_err("times out");
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() < 1000 * MS, "{:?}", started.elapsed());
    }

    #[tokio::test]
    async fn a_trickling_request_hits_the_request_deadline() {
        let (mut client, server) = tokio::io::duplex(64);
        let mut s = Deadlines::new(server, 200 * MS, 600 * MS);
        let trickle = tokio::spawn(async move {
            for _ in 0..100 {
                if client.write_all(b"x").await.is_err() {
                    return;
                }
                tokio::time::sleep(120 * MS).await;
            }
        });
        let started = Instant::now();
        let err = loop {
            match s.read(&mut [0u8; 8]).await {
                Ok(_) => continue,
                Err(e) => break e,
            }
        };
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        let took = started.elapsed();
        assert!(took >= 600 * MS && took < 2000 * MS, "{took:?}");
        trickle.abort();
    }

    #[tokio::test]
    async fn a_read_takes_at_most_max_read_bytes() {
        let (mut client, server) = tokio::io::duplex(4 * MAX_READ);
        let mut s = Deadlines::new(server, 1000 * MS, 1000 * MS);
        client
            .write_all(&vec![7u8; 3 * MAX_READ])
            .await
            .expect("write");
        let mut buf = vec![0u8; 4 * MAX_READ];
        let n = s.read(&mut buf).await.expect("read");
        assert_eq!(n, MAX_READ);
        assert!(buf[..n].iter().all(|b| *b == 7));
        let mut rest = 0;
        while rest < 2 * MAX_READ {
            rest += s.read(&mut buf).await.expect("read");
        }
        assert_eq!(rest, 2 * MAX_READ);
    }

    #[tokio::test]
    async fn an_answer_starts_a_new_request_clock() {
        let (mut client, server) = tokio::io::duplex(64);
        let mut s = Deadlines::new(server, 300 * MS, 400 * MS);
        for _ in 0..5 {
            // A request every 150 ms, each answered: 750 ms in all, never 400 ms for one.
            client.write_all(b"req").await.expect("write");
            assert_eq!(s.read(&mut [0u8; 8]).await.expect("read"), 3);
            s.write_all(b"ok").await.expect("answer");
            client.read_exact(&mut [0u8; 2]).await.expect("answer read");
            tokio::time::sleep(150 * MS).await;
        }
    }
}
