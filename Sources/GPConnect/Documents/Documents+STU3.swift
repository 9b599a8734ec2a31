import FHIR
import Foundation
import GPConnectContract

/// The STU3 face of Access Document: each interaction parses its request, runs the use case and
/// renders (GP Connect 1.6.2, access_documents_development_* pages).
extension Documents {
    /// The absolute documents service root of a practice, as consumers reach it (the request's
    /// base URL: the deployment's public one, or its `Host`).
    func documentsRoot(_ request: GPConnectRequest) -> String {
        request.baseURL + Capability.documents.serviceRoot(ods: request.practice.ods)
    }

    /// How the structured record of this request offers documents.
    public func links(_ request: GPConnectRequest, migrating: Bool) -> DocumentLinks {
        DocumentLinks(documentsRoot: documentsRoot(request), retrievalLimit: migrating ? nil : settings.retrievalLimit)
    }

    /// D2: `GET /Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|{nhs}`; none found is an empty Bundle.
    public func searchPatient(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        // No identifier, a repeated or mis-cased one is 400 BAD_REQUEST where the page says 422
        // INVALID_PARAMETER (pack: StructuredDocuments.feature, "Documents Patient Search should fail if no
        // identifier parameter is include", "… should error if multiple parameters valid or invalid are sent").
        let token = try request.query.token("identifier")
        guard token.system == IdentifierSystem.nhsNumber else {
            // The documents page names INVALID_PARAMETER for an unrecognised system, where
            // Foundations answers INVALID_IDENTIFIER_SYSTEM.
            throw GPConnectError(.invalidParameter, "Patient search supports only \(IdentifierSystem.nhsNumber)")
        }
        guard let nhsNumber = NHSNumber(token.value) else {
            throw GPConnectError(.invalidNHSNumber, "The identifier value is not a valid NHS number")
        }
        let found = try await patients(nhsNumber: nhsNumber, practice: request.practice, now: request.now)
        return GPConnectResponse(
            resource: FHIRBundle.searchset(
                found.map { $0.fhir(practice: request.practice) }, id: request.traceID, fullUrlBase: documentsRoot(request)),
            auditPatient: nhsNumber.value)
    }

    /// D3: `GET /Patient/{id}/DocumentReference?…` with the mandatory includes.
    public func searchDocuments(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        let query = try Self.parseSearch(request.query)
        let result = try await search(query, patientID: request.id, practice: request.practice, now: request.now)
        let patient = result.patient
        let root = documentsRoot(request)

        // Patient, registered practice, usual GP, then the authors and custodians; then one
        // PractitionerRole per Practitioner (`_revinclude:recurse=PractitionerRole:practitioner`).
        let patientResource = patient.fhir(practice: request.practice)
        var pending: [String] = []
        if let organization = patient.managingOrganizationID { pending.append("Organization/\(organization)") }
        if let gp = patient.generalPractitionerID { pending.append("Practitioner/\(gp)") }
        pending += References.all(in: patientResource)
        for document in result.documents {
            if let author = document.author { pending.append(author) }
            if let custodian = document.custodianOrganizationID { pending.append("Organization/\(custodian)") }
        }
        let directory = try await BundleDirectory(stores: stores).resources(
            following: pending, present: ["Patient/\(patient.id)"], practice: request.practice.ods)
        let roleOrganization = patient.managingOrganizationID ?? request.practice.organizationID
        let roles = directory.practitioners.values.sorted { $0.id < $1.id }.map {
            BundleDirectory.practitionerRole($0, organizationID: roleOrganization)
        }
        let documents = result.documents.map { document in
            document.fhir(
                link: document.placeholder(limit: settings.retrievalLimit) ?? .url("\(root)/Binary/\(document.content.binaryID ?? "")"))
        }
        let bundle = FHIRBundle.searchset(
            [patientResource] + directory.resources + roles + documents, id: request.traceID, fullUrlBase: root)
        return GPConnectResponse(resource: bundle, auditPatient: patient.nhsNumber.value)
    }

    /// D4 and D5: `GET /Binary/{id}`, streamed.
    public func readBinary(_ request: GPConnectRequest, migrating: Bool) async throws -> GPConnectResponse {
        let (_, patient, content) = try await binary(
            id: request.id, practice: request.practice, caller: request.caller, migrating: migrating, now: request.now)
        var response = GPConnectResponse(resource: nil, version: content.version, auditPatient: patient.nhsNumber.value)
        response.binary = content
        response.auditResource = "Binary/\(content.id)"
        return response
    }

    /// The parameters of a documents search. Every refusal is `422 INVALID_PARAMETER`: a missing
    /// include (pack: StructuredDocuments.feature, "Search for Documents without Mandatory include Params
    /// expect fail"), an unknown parameter ("… with an invalid parameter"), an author that is not an
    /// ODS code ("… using author parameter but with invalid identifier"), a malformed or
    /// contradictory `created`.
    static func parseSearch(_ query: SearchQuery) throws(GPConnectError) -> DocumentQuery {
        var includes = Set<String>()
        var revIncludes = Set<String>()
        var created: [String] = []
        var result = DocumentQuery()
        var seen = Set<String>()
        for item in query.items {
            switch item.name {
            case "_include":
                guard DocumentSearch.includes.contains(item.value) else {
                    throw .invalidParameter("_include=\(item.value) is not supported by this search")
                }
                includes.insert(item.value)
            case "_revinclude:recurse":
                guard item.value == DocumentSearch.revInclude else {
                    throw .invalidParameter("_revinclude:recurse=\(item.value) is not supported by this search")
                }
                revIncludes.insert(item.value)
            case "created": created.append(item.value)
            case "author", "description":
                guard seen.insert(item.name).inserted else { throw .invalidParameter("Parameter \(item.name) must not be repeated") }
                if item.name == "author" {
                    let parts = item.value.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
                    guard parts.count == 2, parts[0] == IdentifierSystem.odsOrganizationCode, !parts[1].isEmpty else {
                        throw .invalidParameter("author must be \(IdentifierSystem.odsOrganizationCode)|{ODS code}")
                    }
                    result.authorODSCode = String(parts[1])
                } else {
                    guard !item.value.trimmingCharacters(in: .whitespaces).isEmpty else {
                        throw .invalidParameter("description must not be empty")
                    }
                    result.keyword = item.value
                }
            case "_format": continue
            default: throw .invalidParameter("\(item.name) is not a parameter of this search")
            }
        }
        guard includes.count == DocumentSearch.includes.count, !revIncludes.isEmpty else {
            throw .invalidParameter(
                "The search must include " + DocumentSearch.includes.map { "_include=\($0)" }.joined(separator: ", ")
                    + " and _revinclude:recurse=\(DocumentSearch.revInclude)")
        }
        guard created.count <= 2 else { throw .invalidParameter("created may be given at most twice (ge and le)") }
        for value in created {
            let prefix = value.prefix(2)
            let text = String(value.dropFirst(2))
            guard prefix == "ge" || prefix == "le" else { throw .invalidParameter("created takes the prefixes ge and le only") }
            guard let bound = bound(text, upper: prefix == "le") else {
                throw .invalidParameter("created=\(value) is not a FHIR date or dateTime")
            }
            if prefix == "ge" {
                guard result.from == nil else { throw .invalidParameter("created=ge may be given once") }
                result.from = bound
            } else {
                guard result.to == nil else { throw .invalidParameter("created=le may be given once") }
                result.to = bound
            }
        }
        if let from = result.from, let to = result.to, from > to {
            throw .invalidParameter("created=ge is after created=le")
        }
        return result
    }

    /// A date's first or last instant, or a dateTime's own. A `+` in an offset that arrived
    /// unencoded reads as a space; it is put back.
    static func bound(_ text: String, upper: Bool) -> Date? {
        if text.contains("T") {
            var repaired = text
            if let space = repaired.lastIndex(of: " ") { repaired.replaceSubrange(space...space, with: "+") }
            return DocumentDates.instant(repaired)
        }
        guard let date = FHIRDate(text) else { return nil }
        return upper ? DocumentDates.end(of: date) : DocumentDates.start(of: date)
    }
}
