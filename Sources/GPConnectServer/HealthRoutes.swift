import HTTPTypes
import Hummingbird

/// `GET /health`: outside the FHIR roots, for load balancers and as the benchmark baseline.
struct HealthRoutes {
    func register(on router: Router<GPConnectRequestContext>) {
        router.get("/health") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
    }
}
