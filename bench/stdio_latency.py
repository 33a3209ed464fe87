#!/usr/bin/env python3
"""Closed-loop latency of tools/call over `signoff stdio`: one request in
flight at a time, N requests, prints p50/p99/max in microseconds. Includes the
client's own pipe and Python overhead (some 20 us: compare with ping)."""
import io
import json
import os
import subprocess
import sys
import time

binary, db, key, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
proc = subprocess.Popen([binary, "stdio", "--db", db], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                        env={**os.environ, "SIGNOFF_API_KEY": key}, bufsize=0)
# stdin stays unbuffered (one write per request); stdout gets a buffer, because
# readline() on an unbuffered pipe reads one byte per system call, which for a
# 600-byte response costs the client some 300 us.
responses = io.BufferedReader(proc.stdout, 1 << 16)


def call(line):
    proc.stdin.write(line)
    return responses.readline()


call(b'{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25",'
     b'"capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}\n')
proc.stdin.write(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
samples = []
for i in range(1, n + 1):
    line = ('{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"catalog_rows_get",'
            '"arguments":{"slug":"openai-team"}}}\n' % i).encode()
    t0 = time.perf_counter_ns()
    out = call(line)
    samples.append(time.perf_counter_ns() - t0)
    if b'"isError":false' not in out:
        sys.exit("unexpected response: " + out.decode())
proc.stdin.close()
proc.wait()
samples.sort()
pct = lambda p: samples[min(len(samples) - 1, int(len(samples) * p))] / 1000
print(f"stdio closed-loop latency over {n} calls: p50 {pct(0.5):.0f} us, p99 {pct(0.99):.0f} us, "
      f"max {samples[-1] / 1000:.0f} us")
