import GPConnectContract

/// One clinical item as the seed files (and the synthetic-record generator) describe it: the facts
/// a GP system records, without FHIR's shape. ``ClinicalRecordBuilder`` turns it into a
/// ``ClinicalItem`` with a resource in the GP Connect profile for its kind.
///
/// Dates are absolute (`2019-03-01`) or relative to the seed day (`today-400`, `today+30`), so the
/// record stays valid whenever it is seeded ("the last 3 years" and "up to 10 years ahead" rules).
public struct SeedItem: Codable, Sendable {
    public var kind: ClinicalItem.Kind
    public var id: String
    /// SNOMED code and display.
    public var code: [String]?
    public var text: String?
    public var status: String?
    public var date: String?
    public var end: String?
    /// `confidential` or `sensitive`.
    public var withheld: String?
    /// Related items by id (problem: related clinical content; consultation structure: entries;
    /// report: results; test group: members).
    public var links: [String]?
    /// Problem: child problems; topic: the problem it is about.
    public var children: [String]?
    public var parent: String?
    /// Medication reference (statement, plan, issue); plan (statement, issue); encounter (consultation list).
    public var medication: String?
    public var plan: String?
    public var encounter: String?
    /// Acute/repeat (plan); `major`/`minor` (problem); category (allergy); `elsewhere` (statement).
    public var type: String?
    public var dosage: String?
    public var quantity: [String]?
    public var repeats: Int?
    public var value: [String]?
    public var specimen: String?
    public var request: String?
    public var endReason: String?
    public var reaction: [String]?
    public var recorder: String?
    /// Immunisation: the SNOMED CT vaccination procedure (code and display), for the
    /// `vaccinationProcedure` extension CareConnect-GPC-Immunization-1 requires.
    public var procedure: [String]?

    public init(kind: ClinicalItem.Kind, id: String) {
        self.kind = kind
        self.id = id
    }
}
