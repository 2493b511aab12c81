//! Running an outside program from the tests with a time limit (included with `#[path]` by the
//! harnesses that start one).

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs `cmd` with no input, reading its stdout and stderr on threads so a full pipe cannot
/// stall it; kills it and panics after `limit_secs`. Returns (stdout, stderr).
pub fn run_limited(cmd: &mut Command, what: &str, limit_secs: u64) -> (String, String) {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("start {what}: {e}"));
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = so.read_to_string(&mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = se.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    loop {
        match child.try_wait().expect("wait for the child") {
            Some(_) => break,
            None if start.elapsed() > Duration::from_secs(limit_secs) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{what} did not finish within {limit_secs} s");
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    (t_out.join().unwrap(), t_err.join().unwrap())
}
