import Foundation
import Testing

/// Tests whose subject is time itself — timeouts, session expiry, kill -9 while work is in flight —
/// run in a pass of their own (`scripts/test.sh`'s second pass, `GPCONNECT_TEST_ALONE=1`, one test
/// at a time). In the main pass every suite runs at once on two cores, and a clock that a test
/// sets to a second then measures the machine's load, not the server. The property-based suites run
/// there too: thousands of synchronous cases hold both cooperative threads, and the live servers of
/// the other suites then miss their clients' read timeouts.
enum AlonePass {
    static let active = ProcessInfo.processInfo.environment["GPCONNECT_TEST_ALONE"] == "1"
    static let reason: Comment = "timing-bound: runs alone in scripts/test.sh's second pass (GPCONNECT_TEST_ALONE=1)"
}
