#!/usr/bin/env python3
"""Measures the hub's capacity page: time to first byte and time to the last byte, over a
directory of N practices (default 10) x 14 days.

It starts `gpconnect serve` (provider, both reference practices) and `gpconnect hub` on a
directory of N practices, each mapped by an explicit service root onto one of the provider's two
practices, adds a user, signs in over HTTP and fetches /capacity REPEAT times.

Usage: scripts/hub-capacity-bench.py [--binary .build/release/gpconnect] [--practices 10] [--repeat 20]
"""
import argparse, http.client, json, os, re, shutil, signal, statistics, subprocess, sys, tempfile, time, urllib.parse

parser = argparse.ArgumentParser()
parser.add_argument("--binary", default=".build-release/release/gpconnect")
parser.add_argument("--practices", type=int, default=10)
parser.add_argument("--repeat", type=int, default=20)
parser.add_argument("--provider-port", type=int, default=9180)
parser.add_argument("--hub-port", type=int, default=9181)
parser.add_argument("--deadline", type=float, default=5, help="seconds each practice has to answer (the hub's --deadline)")
args = parser.parse_args()

work = tempfile.mkdtemp(prefix="hub-bench-")
provider_url = "http://127.0.0.1:%d" % args.provider_port
roots = [("B82617", "918999198738"), ("A20047", "918999198739")]
practices = []
for index in range(args.practices):
    ods, asid = roots[index % 2]
    practices.append({
        "ods": "P%05d" % index, "name": "Bench practice %d (%s)" % (index, ods), "baseURL": provider_url, "asid": asid,
        "serviceRoots": {"foundations": "%s/%s/STU3/1/gpconnect/fhir" % (provider_url, ods)},
    })
directory = os.path.join(work, "federation.json")
json.dump({"consumer": {"asid": "200000000359", "ods": "GPCA0001", "name": "Bench hub", "telephone": "0300 000 0000"},
           "practices": practices}, open(directory, "w"))
hub_db = os.path.join(work, "hub.sqlite")
subprocess.run([args.binary, "hub", "users", "add", "bench", "--name", "Bench User", "--sds-user-id", "G13579135",
                "--hub-database", hub_db], input=b"bench-password\n", check=True, capture_output=True)
processes = [
    subprocess.Popen([args.binary, "serve", "--port", str(args.provider_port), "--database", os.path.join(work, "provider.sqlite"),
                      "--log-level", "error"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
    subprocess.Popen([args.binary, "hub", "--directory", directory, "--port", str(args.hub_port), "--hub-database", hub_db,
                      "--deadline", str(args.deadline)],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
]


def wait_for(port, path):
    deadline = time.time() + 300
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path)
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("port %d did not answer" % port)


try:
    wait_for(args.provider_port, "/health")
    wait_for(args.hub_port, "/health")

    def request(method, path, body=None, cookies=""):
        connection = http.client.HTTPConnection("127.0.0.1", args.hub_port, timeout=120)
        headers = {"Cookie": cookies} if cookies else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        return connection, connection.getresponse()

    _, page = request("GET", "/signin")
    text = page.read().decode()
    signin_cookie = re.search(r"hub_signin=([0-9a-f]+)", page.getheader("Set-Cookie")).group(1)
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', text).group(1)
    _, answer = request("POST", "/signin", urllib.parse.urlencode({"csrf": token, "username": "bench", "password": "bench-password"}),
                        "hub_signin=" + signin_cookie)
    answer.read()
    session = re.search(r"hub_session=([0-9a-f]+)", answer.getheader("Set-Cookie")).group(1)

    first_bytes, completions, sizes = [], [], []
    for run in range(args.repeat + 1):
        started = time.perf_counter()
        connection, response = request("GET", "/capacity", cookies="hub_session=" + session)
        first = response.read(1)
        ttfb = time.perf_counter() - started
        rest = response.read()
        done = time.perf_counter() - started
        body = (first + rest).decode()
        assert "All practices answered." in body, "the page did not complete"
        assert body.count(": ok</li>") == args.practices, "not every practice answered ok: %s" % re.findall(r"<li class=\"\w+\">[^<]*</li>", body)
        if run == 0:
            continue  # warm-up: connection pools, the provider's caches
        first_bytes.append(ttfb * 1000)
        completions.append(done * 1000)
        sizes.append(len(body))

    def summary(values):
        values = sorted(values)
        return "median %.1f ms, p90 %.1f ms, min %.1f ms, max %.1f ms" % (
            statistics.median(values), values[int(len(values) * 0.9) - 1], values[0], values[-1])

    print("capacity page, %d practices x 14 days, %d runs (after 1 warm-up), %d bytes, %s" % (
        args.practices, args.repeat, sizes[0], os.path.basename(os.path.dirname(os.path.abspath(args.binary)))))
    print("time to first byte: " + summary(first_bytes))
    print("time to complete:   " + summary(completions))
finally:
    for process in processes:
        process.send_signal(signal.SIGINT)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    shutil.rmtree(work, ignore_errors=True)
