//! The writers under an export's payload: `Piped` hands full buffers to a second thread, so reading and
//! serialising records overlap with encrypting, hashing and writing them; `Hashing` hashes and counts what
//! reaches the file.

use std::io::{self, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use sha2::{Digest, Sha256};

/// The size of the buffers passed on.
pub const CHUNK: usize = 64 * 1024;

/// Buffers in flight between the two threads.
const DEPTH: usize = 4;

/// A writer whose `inner` runs on its own thread. `finish` gives `inner` back, or the first error it met.
pub struct Piped<W: Write + Send + 'static> {
    buf: Vec<u8>,
    to: Option<SyncSender<Vec<u8>>>,
    /// Buffers the thread has written, for reuse.
    spent: Receiver<Vec<u8>>,
    worker: Option<JoinHandle<io::Result<W>>>,
}

impl<W: Write + Send + 'static> Piped<W> {
    pub fn new(mut inner: W) -> io::Result<Piped<W>> {
        let (to, from) = sync_channel::<Vec<u8>>(DEPTH);
        let (give_back, spent) = sync_channel::<Vec<u8>>(DEPTH + 1);
        let worker = std::thread::Builder::new()
            .name("wangge-writer".into())
            .spawn(move || {
                for mut chunk in from {
                    inner.write_all(&chunk)?;
                    chunk.clear();
                    let _ = give_back.try_send(chunk);
                }
                inner.flush()?;
                Ok(inner)
            })?;
        Ok(Piped {
            buf: Vec::with_capacity(CHUNK),
            to: Some(to),
            spent,
            worker: Some(worker),
        })
    }

    /// Sends what is buffered; when the thread has stopped, its error.
    fn send(&mut self) -> io::Result<()> {
        let fresh = self
            .spent
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(CHUNK));
        let full = std::mem::replace(&mut self.buf, fresh);
        let sent = self.to.as_ref().map(|to| to.send(full));
        match sent {
            Some(Ok(())) => Ok(()),
            // The thread stopped: its own error says why.
            _ => Err(self.stop().err().unwrap_or_else(|| {
                io::Error::other("the writer stopped before the payload was written")
            })),
        }
    }

    /// Ends the thread and gives back its writer (or its error).
    fn stop(&mut self) -> io::Result<W> {
        self.to = None;
        match self.worker.take() {
            Some(worker) => worker
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("the writer thread failed"))),
            None => Err(io::Error::other("the writer has already stopped")),
        }
    }

    /// Writes what is left and gives back the writer underneath.
    pub fn finish(mut self) -> io::Result<W> {
        if !self.buf.is_empty() {
            self.send()?;
        }
        self.stop()
    }
}

impl<W: Write + Send + 'static> Write for Piped<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    /// Passes on what is buffered (the thread writes it in its own time; `finish` waits for it).
    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            self.send()
        }
    }
}

impl<W: Write + Send + 'static> Drop for Piped<W> {
    /// An abandoned writer (an export that failed) still ends its thread.
    fn drop(&mut self) {
        if self.worker.is_some() {
            let _ = self.stop();
        }
    }
}

/// A writer that hashes (SHA-256) and counts what passes through it.
pub struct Hashing<W: Write> {
    inner: W,
    hash: Sha256,
    bytes: u64,
}

impl<W: Write> Hashing<W> {
    pub fn new(inner: W) -> Self {
        Hashing {
            inner,
            hash: Sha256::new(),
            bytes: 0,
        }
    }

    /// The writer, the byte count and the hash (hex).
    pub fn finish(self) -> (W, u64, String) {
        (self.inner, self.bytes, hex::encode(self.hash.finalize()))
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A writer that fails after `room` bytes, as a full disk does (for tests).
#[cfg(test)]
pub(super) struct Full {
    pub room: usize,
}

#[cfg(test)]
impl Write for Full {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.len() > self.room {
            return Err(io::Error::new(io::ErrorKind::StorageFull, "disk full"));
        }
        self.room -= buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_written_arrives_in_order() {
        let mut p = Piped::new(Vec::new()).unwrap();
        let mut expected = Vec::new();
        for i in 0..50_000u32 {
            let line = format!("{i}\n");
            p.write_all(line.as_bytes()).unwrap();
            expected.extend_from_slice(line.as_bytes());
        }
        assert_eq!(p.finish().unwrap(), expected);
    }

    #[test]
    fn the_threads_error_reaches_the_writer() {
        let mut p = Piped::new(Full { room: 3 * CHUNK }).unwrap();
        let chunk = vec![b'x'; 1000];
        let mut failed = None;
        for _ in 0..10_000 {
            if let Err(e) = p.write_all(&chunk) {
                failed = Some(e);
                break;
            }
        }
        let err = failed.or_else(|| p.finish().err()).expect("an error");
        assert_eq!(err.kind(), io::ErrorKind::StorageFull, "{err}");
    }

    #[test]
    fn hashing_counts_and_hashes() {
        let mut h = Hashing::new(Vec::new());
        h.write_all(b"abc").unwrap();
        let (w, n, sha) = h.finish();
        assert_eq!((w, n), (b"abc".to_vec(), 3));
        assert_eq!(
            sha,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
