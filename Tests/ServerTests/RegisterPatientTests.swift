import FHIR
import GPConnect
import GPConnectContract
import HTTPTypes
import Testing

@Suite("$gpc.registerpatient")
struct RegisterPatientTests {
    /// A registration body as the pack's DefaultRegisterPatientBuilder makes it.
    static func body(
        nhsNumber: String = "9651258500", family: String? = "REA", given: String = "Clive", gender: String? = "male",
        birthDate: String? = "1951-03-10", edit: (inout FHIRObject) -> Void = { _ in }
    ) -> FHIRElement {
        var patient: FHIRObject = [
            "resourceType": "Patient",
            "meta": ["profile": [.string(Profile.patient)]],
            "identifier": [
                [
                    "extension": [
                        [
                            "url": .string(ExtensionURL.nhsNumberVerificationStatus),
                            "valueCodeableConcept": [
                                "coding": [
                                    [
                                        "system": .string(CodeSystemURL.nhsNumberVerificationStatus), "code": "01",
                                        "display": "Number present and verified",
                                    ]
                                ]
                            ],
                        ]
                    ],
                    "system": "https://fhir.nhs.uk/Id/nhs-number", "value": .string(nhsNumber),
                ]
            ],
        ]
        var name: FHIRObject = ["use": "official"]
        name.append("family", family.map { .string($0) })
        name.append("given", [.string(given)])
        patient.append("name", [.object(name)])
        patient.append("gender", gender.map { .string($0) })
        patient.append("birthDate", birthDate.map { .string($0) })
        edit(&patient)
        return ["resourceType": "Parameters", "parameter": [["name": "registerPatient", "resource": .object(patient)]]]
    }

    func register(_ client: Client, _ body: FHIRElement, format: FHIRFormat = .json, query: String = "") async throws -> Reply {
        try await client.request(
            .registerPatient, "Patient/$gpc.registerpatient" + query, body: String(decoding: format.encode(body), as: UTF8.self),
            contentType: format == .json ? "application/fhir+json; charset=utf-8" : "application/fhir+xml; charset=utf-8")
    }

    @Test(arguments: [FHIRFormat.json, .xml])
    func registeringAPersonOnPDSCreatesATemporaryRegistration(format: FHIRFormat) async throws {
        try await TestServer.run { client in
            let reply = try await register(client, Self.body(), format: format, query: "?_format=\(format.rawValue)")
            #expect(reply.status == 200)
            #expect(reply.contentType == format.contentType)
            #expect(reply.headers[.cacheControl] == "no-store")
            #expect(reply.resource?["type"]?.string == "searchset")
            #expect(reply.resource?.at("meta.profile")?.string == Profile.searchsetBundle)
            #expect(reply.entries.count == 1)
            let patient = try #require(reply.entries.first)
            #expect(patient.at("meta.profile")?.string == Profile.patient)
            #expect(
                patient["identifier"]?.items.filter { $0["system"]?.string == IdentifierSystem.nhsNumber }.map { $0["value"]?.string } == [
                    "9651258500"
                ])
            #expect(patient.at("identifier.extension.valueCodeableConcept.coding.code")?.string == "01")
            #expect(patient.at("name.family")?.string == "REA")
            #expect(patient.at("name.given")?.string == "Clive")
            #expect(patient["birthDate"]?.string == "1951-03-10")
            #expect(patient["gender"]?.string == "male")
            let details = try #require(patient["extension"]?.items.first { $0["url"]?.string == ExtensionURL.registrationDetails })
            let parts = details["extension"]?.items ?? []
            #expect(parts.first { $0["url"]?.string == "registrationType" }?.at("valueCodeableConcept.coding.code")?.string == "T")
            #expect(
                parts.first { $0["url"]?.string == "registrationType" }?.at("valueCodeableConcept.coding.display")?.string == "Temporary")
            #expect(parts.contains { $0["url"]?.string == "registrationPeriod" })
            #expect(!parts.contains { $0["url"]?.string == "registrationStatus" })

            // Now findable, and a second registration is a duplicate.
            let search = try await client.request(
                .searchPatient, "Patient?identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number%7C9651258500")
            #expect(search.entries.count == 1)
            let again = try await register(client, Self.body(), format: format)
            #expect(again.status == 409)
            #expect(again.spineCode == "DUPLICATE_REJECTED")
        }
    }

    @Test func registrationEchoesAddressTelecomAndLanguage() async throws {
        try await TestServer.run { client in
            let body = Self.body(nhsNumber: "9651258519", family: "SOFFE", given: "Oscar", birthDate: "1937-03-11") { patient in
                patient.append(
                    "telecom",
                    [
                        ["system": "phone", "value": "01234567891", "use": "home"],
                        ["system": "email", "value": "abc.d@mail.com", "use": "temp"],
                    ])
                patient.append(
                    "address", [["use": "temp", "line": ["1 Trevelyan Square", "Boar Lane"], "city": "Leeds", "postalCode": "LS1 6AE"]])
                patient.append(
                    "extension",
                    [
                        [
                            "url": .string(ExtensionURL.nhsCommunication),
                            "extension": [
                                [
                                    "url": "language",
                                    "valueCodeableConcept": [
                                        "coding": [["system": .string(CodeSystemURL.humanLanguage), "code": "de", "display": "German"]]
                                    ],
                                ],
                                ["url": "interpreterRequired", "valueBoolean": true],
                            ],
                        ]
                    ])
            }
            let reply = try await register(client, body)
            #expect(reply.status == 200, "\(reply.text)")
            let patient = try #require(reply.entries.first)
            #expect(patient["telecom"]?.items.count == 2)
            #expect(patient.at("address.city")?.string == "Leeds")
            #expect(patient.at("address.period.end") != nil, "a temporary address ends with the temporary registration")
            #expect(patient["extension"]?.items.filter { $0["url"]?.string == ExtensionURL.nhsCommunication }.count == 1)
        }
    }

    @Test(arguments: [
        ("9476718943", "GPConnectFamilyName", "GPConnectGivenName", "2017-05-05", 400, "INVALID_PATIENT_DEMOGRAPHICS"),  // not on PDS
        ("9690938681", "ROONEY", "James", "1968-02-03", 400, "INVALID_PATIENT_DEMOGRAPHICS"),  // deceased
        ("9690938533", "CLAY", "Anita", "2000-09-09", 400, "INVALID_PATIENT_DEMOGRAPHICS"),  // sensitive
        ("9690938622", "HORN", "Alexi", "1978-11-28", 400, "INVALID_NHS_NUMBER"),  // superseded
        ("9690937278", "SAMUAL", "Lucien", "1938-12-11", 409, "DUPLICATE_REJECTED"),  // already registered
        ("9651258500", "SMITH", "John", "1990-01-01", 400, "INVALID_PATIENT_DEMOGRAPHICS"),  // does not verify against PDS
    ])
    func registrationChecksPDSAndThePatientIndex(nhs: String, family: String, given: String, birthDate: String, status: Int, code: String)
        async throws
    {
        try await TestServer.run { client in
            let reply = try await register(client, Self.body(nhsNumber: nhs, family: family, given: given, birthDate: birthDate))
            #expect(reply.status == status)
            #expect(reply.spineCode == code)
        }
    }

    @Test(arguments: ["34555##4", "hello", "999999999", "9000000008", "90000000090"])
    func invalidNHSNumbersAreRefused(nhs: String) async throws {
        try await TestServer.run { client in
            let reply = try await register(client, Self.body(nhsNumber: nhs))
            #expect(reply.status == 400)
            #expect(reply.spineCode == "INVALID_NHS_NUMBER")
        }
    }

    @Test(
        arguments: [
            ("no identifier", 400, "INVALID_NHS_NUMBER", { @Sendable (p: inout FHIRObject) in p["identifier"] = nil }),
            ("no birth date", 400, "BAD_REQUEST", { p in p["birthDate"] = nil }),
            ("no official name", 400, "BAD_REQUEST", { p in p["name"] = [["use": "anonymous", "family": "REA", "given": ["Clive"]]] }),
            ("no family name", 400, "BAD_REQUEST", { p in p["name"] = [["use": "official", "given": ["Clive"]]] }),
            ("no name", 400, "BAD_REQUEST", { p in p["name"] = nil }),
            (
                "identifier without system", 400, "BAD_REQUEST",
                { p in
                    p["identifier"] = .array((p["identifier"]?.items ?? []) + [["value": "NewIdentifierNoSystem"]])
                }
            ),
            ("active", 422, "INVALID_RESOURCE", { p in p["active"] = true }),
            ("multiple birth", 422, "INVALID_RESOURCE", { p in p["multipleBirthBoolean"] = true }),
            ("general practitioner", 422, "INVALID_RESOURCE", { p in p["generalPractitioner"] = [["display": "Test Care Provider"]] }),
            ("contact", 422, "INVALID_RESOURCE", { p in p["contact"] = [["name": ["use": "anonymous", "family": "TestFamily"]]] }),
            ("managing organization", 422, "INVALID_RESOURCE", { p in p["managingOrganization"] = ["display": "Test Managing Org"] }),
            (
                "marital status", 422, "INVALID_RESOURCE",
                { p in p["maritalStatus"] = ["coding": [["system": "http://hl7.org/fhir/marital-status", "code": "M"]]] }
            ),
            (
                "animal", 422, "INVALID_RESOURCE",
                { p in p["animal"] = ["species": ["coding": [["system": "AllSpecies", "code": "Human"]]]] }
            ),
            ("communication", 422, "INVALID_RESOURCE", { p in p["communication"] = [["language": ["coding": [["code": "en"]]]]] }),
            ("photo", 422, "INVALID_RESOURCE", { p in p["photo"] = [["url": "Test Photo Element"]] }),
            ("deceased", 422, "INVALID_RESOURCE", { p in p["deceasedDateTime"] = "2017-09-01T10:00:00+00:00" }),
            ("unknown element", 422, "INVALID_RESOURCE", { p in p["invalidField"] = "Assurance Testing Invalid Field" }),
            (
                "two temporary addresses", 422, "INVALID_RESOURCE",
                { p in p["address"] = [["use": "temp", "city": "Leeds"], ["use": "temp", "city": "York"]] }
            ),
            ("work address", 422, "INVALID_RESOURCE", { p in p["address"] = [["use": "work", "city": "Leeds"]] }),
            (
                "home and work addresses", 422, "INVALID_RESOURCE",
                { p in p["address"] = [["use": "home", "city": "Leeds"], ["use": "work", "city": "York"]] }
            ),
            (
                "two home phones", 400, "BAD_REQUEST",
                { p in
                    p["telecom"] = [
                        ["system": "phone", "value": "01234567891", "use": "home"],
                        ["system": "phone", "value": "01234567892", "use": "home"],
                    ]
                }
            ),
            (
                "two NHS communication extensions", 422, "INVALID_RESOURCE",
                { p in
                    let language: FHIRElement = [
                        "url": .string(ExtensionURL.nhsCommunication),
                        "extension": [
                            [
                                "url": "language",
                                "valueCodeableConcept": ["coding": [["system": .string(CodeSystemURL.humanLanguage), "code": "de"]]],
                            ]
                        ],
                    ]
                    p["extension"] = [language, language]
                }
            ),
            ("wrong profile", 422, "INVALID_RESOURCE", { p in p["meta"] = ["profile": ["https://example.org/Patient"]] }),
        ] as [(String, Int, String, @Sendable (inout FHIRObject) -> Void)])
    func malformedRegistrationsAreRefused(name: String, status: Int, code: String, edit: @Sendable (inout FHIRObject) -> Void) async throws
    {
        try await TestServer.run { client in
            let reply = try await register(client, Self.body(edit: edit))
            #expect(reply.status == status, "\(name): \(reply.text)")
            #expect(reply.spineCode == code, "\(name)")
        }
    }

    @Test(
        arguments: [
            (
                "home and temp addresses",
                { @Sendable (p: inout FHIRObject) in p["address"] = [["use": "home", "city": "Leeds"], ["use": "temp", "city": "York"]] }
            ),
            (
                "a nickname besides the official name",
                { p in
                    p["name"] = .array(
                        (p["name"]?.items ?? []) + [["use": "nickname", "family": "AdditionalFamily", "given": ["AdditionalGiven"]]])
                }
            ),
            (
                "a generic identifier",
                { p in
                    p["identifier"] = .array(
                        (p["identifier"]?.items ?? []) + [["system": "GenericIdentifierSystem", "value": "GenericIdentifierValue"]])
                }
            ),
            ("no gender", { p in p["gender"] = nil }),
            (
                "temp phone and temp email",
                { p in
                    p["telecom"] = [
                        ["system": "phone", "value": "01234567891", "use": "temp"],
                        ["system": "email", "value": "abc.d@mail.com", "use": "temp"],
                    ]
                }
            ),
        ] as [(String, @Sendable (inout FHIRObject) -> Void)])
    func allowedVariationsRegister(name: String, edit: @Sendable (inout FHIRObject) -> Void) async throws {
        try await TestServer.run { client in
            let reply = try await register(client, Self.body(edit: edit))
            #expect(reply.status == 200, "\(name): \(reply.text)")
            #expect(reply.entries.count == 1)
        }
    }

    @Test func structurallyBrokenBodiesAreRefused() async throws {
        try await TestServer.run { client in
            let notJSON = try await client.request(.registerPatient, "Patient/$gpc.registerpatient", body: "{\"resourceType\":")
            #expect(notJSON.status == 400)
            #expect(notJSON.spineCode == "BAD_REQUEST")
            let notXML = try await client.request(
                .registerPatient, "Patient/$gpc.registerpatient", body: "<Parameters xmlns=\"http://hl7.org/fhir\"><parameter>",
                contentType: "application/fhir+xml")
            #expect(notXML.status == 400)
            let wrongType = try await register(client, ["resourceType": "InvalidResourceType"])
            #expect(wrongType.status == 422)
            #expect(wrongType.spineCode == "INVALID_RESOURCE")
            var twice = Self.body()
            if case .object(var object) = twice, let parameter = object["parameter"]?.items.first {
                object["parameter"] = [parameter, parameter]
                twice = .object(object)
            }
            let duplicate = try await register(client, twice)
            #expect(duplicate.status == 400)
            #expect(duplicate.spineCode == "BAD_REQUEST")
            let empty = try await client.request(.registerPatient, "Patient/$gpc.registerpatient")
            #expect(empty.status == 400)
            let wrongScope = try await client.request(
                .registerPatient, "Patient/$gpc.registerpatient",
                headers: {
                    $0[.authorization] = "Bearer " + Client.token(for: .registerPatient) { $0["requested_scope"] = "patient/*.read" }
                },
                body: FHIRJSON.encodeString(Self.body()))
            #expect(wrongScope.status == 400)
            #expect(wrongScope.spineCode == "BAD_REQUEST")
            let unsupported = try await client.request(
                .registerPatient, "Patient/$gpc.registerpatient", body: "x", contentType: "text/plain")
            #expect(unsupported.status == 415)
        }
    }

    /// Many consumers registering the same person at the same moment: exactly one succeeds.
    @Test func concurrentRegistrationsOfOnePersonCreateOneRecord() async throws {
        try await TestServer.run { client in
            let body = FHIRJSON.encodeString(Self.body())
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<12 {
                    group.addTask { try await client.viaPool(.registerPatient, "Patient/$gpc.registerpatient", body: body).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 200 }.count == 1)
            #expect(statuses.filter { $0 == 409 }.count == 11)
            let search = try await client.request(
                .searchPatient, "Patient?identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number%7C9651258500")
            #expect(search.entries.count == 1)
        }
    }
}
