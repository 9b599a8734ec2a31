public import Foundation
public import GPConnect
public import GPConnectContract

/// A patient with a long GP record, for load tests and for seeing how consumers cope: years of
/// consultations, each with a topic and headings holding observations, notes and prescriptions,
/// and among them problems, immunisations, referrals, investigations and recalls, all linked the
/// way a GP system links them.
public enum SyntheticRecord {
    /// The synthetic patient's NHS number (valid, and on no reference list).
    public static let nhsNumber = "9690990004"
    public static let patientID = "long-record"

    /// The synthetic patient as PDS holds them.
    public static var demographics: DemographicsRecord? {
        NHSNumber(nhsNumber).map {
            DemographicsRecord(
                nhsNumber: $0, name: PersonName(use: "official", family: "SYNTHETIC", given: ["Long"], prefix: ["MR"]), gender: "male",
                birthDate: "1950-01-01")
        }
    }

    /// Registers the synthetic patient at the practice (if absent) and writes their record.
    ///
    /// - Returns: the number of clinical items written.
    @discardableResult
    public static func seed(stores: Stores, practice: Practice, consultations: Int, today: String = ISO8601.day(Date())) async throws
        -> Int
    {
        guard let number = NHSNumber(nhsNumber) else { return 0 }
        let patient = PatientRecord(
            id: patientID, nhsNumber: number, name: PersonName(use: "official", family: "SYNTHETIC", given: ["Long"], prefix: ["MR"]),
            gender: "male", birthDate: "1950-01-01", registrationStart: "1990-01-01", generalPractitionerID: "1",
            managingOrganizationID: practice.organizationID, version: "1")
        do {
            try await stores.patients.savePatient(patient, practice: practice.ods, expectedVersion: nil)
        } catch StoreError.conflict {
            // Already registered: the record is rewritten below.
        }
        let builder = ClinicalRecordBuilder(
            practice: practice.ods, patientID: patientID, today: today, organizationID: practice.organizationID, practitionerID: "1")
        let items = Self.items(consultations: consultations).map(builder.build)
        for start in stride(from: 0, to: items.count, by: 500) {
            try await stores.clinical.save(Array(items[start..<min(items.count, start + 500)]), practice: practice.ods)
        }
        return items.count
    }

    static let medicines: [[String]] = [
        ["323509004", "Amoxicillin 500mg capsules"], ["320000009", "Simvastatin 40mg tablets"], ["318135005", "Lisinopril 10mg tablets"],
        ["322236009", "Paracetamol 500mg tablets"], ["317972000", "Salbutamol 100micrograms/dose inhaler"],
        ["325278007", "Metformin 500mg tablets"], ["319740004", "Amlodipine 5mg tablets"], ["321949009", "Sertraline 50mg tablets"],
    ]
    static let findings: [([String], [String])] = [
        (["75367002", "Blood pressure"], ["138", "mm[Hg]"]), (["27113001", "Body weight"], ["81", "kg"]),
        (["60621009", "Body mass index"], ["27", "kg/m2"]), (["86290005", "Respiratory rate"], ["16", "/min"]),
    ]
    static let conditions: [[String]] = [
        ["59621000", "Essential hypertension"], ["44054006", "Type 2 diabetes mellitus"], ["195967001", "Asthma"],
        ["13644009", "Hypercholesterolaemia"], ["35489007", "Depressive disorder"], ["235595009", "Gastro-oesophageal reflux disease"],
    ]

    /// The record's items: consultation `k` is `k * 7` days ago.
    public static func items(consultations: Int) -> [SeedItem] {
        var items: [SeedItem] = []
        func add(_ kind: ClinicalItem.Kind, _ id: String, _ edit: (inout SeedItem) -> Void) {
            var item = SeedItem(kind: kind, id: id)
            edit(&item)
            items.append(item)
        }
        for (index, medicine) in medicines.enumerated() {
            add(.medication, "lm-\(index)") { $0.code = medicine }
        }
        add(.allergy, "la-1") {
            $0.code = ["294505008", "Amoxicillin allergy"]
            $0.date = "today-5000"
        }
        add(.allergy, "la-2") {
            $0.code = ["91935009", "Allergy to peanut"]
            $0.status = "resolved"
            $0.date = "today-6000"
            $0.end = "today-3000"
            $0.type = "environment"
        }
        /// `n` days before the seed day (after it when negative).
        func ago(_ n: Int) -> String { n >= 0 ? "today-\(n)" : "today+\(-n)" }
        var openProblem: String?
        for k in 1...max(1, consultations) {
            let day = ago(k * 7)
            let encounter = "le-\(k)"
            var entries: [String] = []
            add(.encounter, encounter) {
                $0.text = "Surgery consultation"
                $0.code = ["185316007", "Indirect encounter"]
                $0.date = day
            }
            let (finding, value) = findings[k % findings.count]
            add(.observation, "lo-\(k)") {
                $0.code = finding
                $0.value = value
                $0.date = day
            }
            add(.narrative, "ln-\(k)") {
                $0.text = "Consultation note"
                $0.dosage = "Reviewed; plan discussed and agreed."
                $0.date = day
            }
            entries += ["Observation/ln-\(k)", "Observation/lo-\(k)"]
            var related = ["Observation/lo-\(k)"]
            if k % 3 == 0 {
                let medicine = "lm-\(k % medicines.count)"
                let repeating = k % 2 == 0
                add(.medicationPlan, "lp-\(k)") {
                    $0.medication = medicine
                    $0.type = repeating ? "repeat" : "acute"
                    $0.date = day
                    $0.end = repeating ? nil : ago(k * 7 - 7)
                    $0.status = repeating ? "active" : "completed"
                    $0.quantity = ["28", "tablet"]
                    $0.dosage = "One daily"
                }
                for issue in 0..<(repeating ? 3 : 1) {
                    add(.medicationIssue, "li-\(k)-\(issue)") {
                        $0.medication = medicine
                        $0.plan = "lp-\(k)"
                        $0.type = repeating ? "repeat" : "acute"
                        $0.date = ago(max(0, k * 7 - issue * 28))
                        $0.quantity = ["28", "tablet"]
                        $0.dosage = "One daily"
                    }
                }
                add(.medicationStatement, "ls-\(k)") {
                    $0.medication = medicine
                    $0.plan = "lp-\(k)"
                    $0.status = repeating ? "active" : "completed"
                    $0.date = day
                    $0.end = repeating ? nil : ago(k * 7 - 7)
                    $0.dosage = "One daily"
                }
                entries.append("MedicationRequest/lp-\(k)")
                related.append("MedicationRequest/lp-\(k)")
            }
            if k % 10 == 0 {
                add(.immunization, "lim-\(k)") {
                    $0.code = ["86198006", "Influenza vaccination"]
                    $0.procedure = ["86198006", "Influenza vaccination"]
                    $0.date = day
                }
                entries.append("Immunization/lim-\(k)")
            }
            if k % 7 == 0 {
                add(.referral, "lr-\(k)") {
                    $0.code = ["183519002", "Referral to cardiology service"]
                    $0.text = "Specialist opinion"
                    $0.date = day
                }
                entries.append("ReferralRequest/lr-\(k)")
                related.append("ReferralRequest/lr-\(k)")
            }
            if k % 8 == 0 {
                add(.testRequest, "lq-\(k)") { $0.code = ["26604007", "Full blood count"] }
                add(.specimen, "lsp-\(k)") { $0.date = day }
                add(.testResult, "ltr-\(k)-1") {
                    $0.code = ["1022451000000103", "Haemoglobin estimation"]
                    $0.value = ["138", "g/L"]
                    $0.date = day
                    $0.specimen = "lsp-\(k)"
                }
                add(.testResult, "ltr-\(k)-2") {
                    $0.code = ["1022541000000102", "Total white blood count"]
                    $0.value = ["6.2", "10*9/L"]
                    $0.date = day
                    $0.specimen = "lsp-\(k)"
                }
                add(.testGroup, "ltg-\(k)") {
                    $0.code = ["26604007", "Full blood count"]
                    $0.date = day
                    $0.specimen = "lsp-\(k)"
                    $0.links = ["ltr-\(k)-1", "ltr-\(k)-2"]
                }
                add(.filingComment, "lfc-\(k)") {
                    $0.text = "Normal"
                    $0.date = day
                }
                add(.diagnosticReport, "ldr-\(k)") {
                    $0.request = "lq-\(k)"
                    $0.specimen = "lsp-\(k)"
                    $0.links = ["ltg-\(k)", "lfc-\(k)"]
                    $0.date = day
                }
                related.append("DiagnosticReport/ldr-\(k)")
            }
            if k % 12 == 0 {
                add(.diaryEntry, "ld-\(k)") {
                    $0.code = ["390906007", "Follow-up encounter"]
                    $0.text = "Review"
                    $0.date = ago(k * 7 - 90)
                    $0.end = day
                }
                related.append("ProcedureRequest/ld-\(k)")
            }
            // Every fifth consultation records a problem; later ones link to the open problem.
            if k % 5 == 0 {
                let id = "lpr-\(k)"
                add(.problem, id) {
                    $0.code = conditions[(k / 5) % conditions.count]
                    $0.type = k % 10 == 0 ? "major" : "minor"
                    $0.status = k % 15 == 0 ? "inactive" : "active"
                    $0.date = day
                    $0.end = k % 15 == 0 ? ago(max(0, k * 7 - 30)) : nil
                    $0.encounter = encounter
                    $0.links = related
                }
                entries.append("Condition/\(id)")
                openProblem = id
            }
            add(.consultationList, "lh-\(k)") {
                $0.type = "heading"
                $0.text = "Examination"
                $0.date = day
                $0.links = entries
            }
            add(.consultationList, "lt-\(k)") {
                $0.type = "topic"
                $0.text = "Review"
                $0.parent = openProblem
                $0.date = day
                $0.links = ["List/lh-\(k)"]
            }
            add(.consultationList, "lc-\(k)") {
                $0.type = "consultation"
                $0.text = "Surgery consultation"
                $0.encounter = encounter
                $0.date = day
                $0.links = ["List/lt-\(k)"]
            }
        }
        return items
    }
}
