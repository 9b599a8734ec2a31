import FHIR
import GPConnectStorage
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /metrics` (Prometheus text format), `GET /openapi.json` (``OpenAPIDocument``) and `GET /health/ready` (readiness: the database
/// answers and every migration is applied; 503 otherwise). `GET /health` stays liveness: the
/// process answers. Outside the FHIR roots, neither audited nor rate limited.
struct OperationsRoutes {
    let metrics: ServerMetrics
    let storage: Storage
    /// The `info.version` of `/openapi.json`.
    var softwareVersion = ""
    /// How long readiness waits for the database before answering 503.
    var readinessTimeout: Duration = .seconds(2)

    func register(on router: Router<GPConnectRequestContext>) {
        router.get("/metrics") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: metrics.text()))
        }
        let openAPI = ByteBuffer(bytes: FHIRJSON.encode(OpenAPIDocument.build(softwareVersion: softwareVersion)))
        router.get("/openapi.json") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: openAPI))
        }
        router.get("/health/ready") { _, _ -> Response in
            let problem = await readiness()
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            let body = problem.map { #"{"status":"not ready","reason":"\#($0)"}"# } ?? #"{"status":"ready"}"#
            return Response(
                status: problem == nil ? .ok : .serviceUnavailable, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }

    private func readiness() async -> String? {
        let storage = storage
        let timeout = readinessTimeout
        return await withTaskGroup(of: String?.self) { group in
            group.addTask { await storage.readiness() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return "the database did not answer in time"
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}
