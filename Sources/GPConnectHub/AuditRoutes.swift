import Foundation
import GPConnectContract
import Hummingbird

extension Hub {
    /// The hub's own access log: who looked at or acted on which patient, where and when.
    func registerAudit(on router: Router<HubRequestContext>) {
        router.get("/audit") { [self] _, context in
            let session = try context.signedIn()
            let entries = try await store.accessLog()
            let data: [String: Any] = [
                "entries": entries.map { entry -> [String: Any] in
                    [
                        "at": UKTime.format(entry.at).prefix(19).replacingOccurrences(of: "T", with: " "), "user": entry.username,
                        "action": entry.action, "ods": entry.ods, "nhs": entry.nhsNumber ?? "-", "outcome": entry.outcome,
                    ]
                },
                "any": !entries.isEmpty,
                "sds": session.user.sdsUserID, "roleProfile": session.user.roleProfileID ?? "none",
            ]
            return views.page("audit", title: "Access log", data, session: session, section: "/audit")
        }
    }
}
