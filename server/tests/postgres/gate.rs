//! A TCP gate in front of the PostgreSQL server: open, it passes
//! connections through; closed, it refuses new ones and cuts those open, as
//! a database that goes down (or is not up yet) would.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use tokio::{
    net::{TcpListener, TcpSocket, TcpStream},
    task::JoinHandle,
};

pub struct Gate {
    /// Where servers connect.
    pub addr: SocketAddr,
    target: SocketAddr,
    running: Mutex<Vec<JoinHandle<()>>>,
}

impl Gate {
    /// A closed gate on a free loopback port, in front of `target`.
    pub async fn closed(target: SocketAddr) -> Gate {
        let probe = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = probe.local_addr().unwrap();
        drop(probe);
        Gate {
            addr,
            target,
            running: Mutex::new(Vec::new()),
        }
    }

    /// Starts passing connections through.
    pub async fn open(&self) {
        let listener = self.listen().await;
        let target = self.target;
        let connections: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let accepted = Arc::clone(&connections);
        let accept = tokio::spawn(async move {
            let _cut_when_closed = Connections(accepted.clone());
            while let Ok((mut client, _)) = listener.accept().await {
                // Cut by a reset, as a crashed database does: closed with a
                // FIN, this side waits in FIN_WAIT_2 for the idle pool
                // connections at the other end, and holds the port against
                // the gate's reopening.
                let _ = client.set_zero_linger();
                let pipe = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                accepted.lock().unwrap().push(pipe);
            }
        });
        self.running.lock().unwrap().push(accept);
    }

    /// The gate's port, bound again. A close aborts the accept task, which
    /// lets go of the port when the runtime next runs it: wait briefly.
    async fn listen(&self) -> TcpListener {
        let mut tries = 0;
        loop {
            let socket = TcpSocket::new_v4().unwrap();
            socket.set_reuseaddr(true).unwrap();
            match socket.bind(self.addr) {
                Ok(()) => return socket.listen(128).unwrap(),
                Err(_) if tries < 50 => {
                    tries += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                Err(error) => panic!("the gate's port is free again: {error}"),
            }
        }
    }

    /// Refuses new connections and cuts every open one.
    pub fn close(&self) {
        for task in self.running.lock().unwrap().drain(..) {
            task.abort();
        }
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        self.close();
    }
}

/// The connections a gate passed; cut when the gate's accept task ends.
struct Connections(Arc<Mutex<Vec<JoinHandle<()>>>>);

impl Drop for Connections {
    fn drop(&mut self) {
        for pipe in self.0.lock().unwrap().drain(..) {
            pipe.abort();
        }
    }
}
