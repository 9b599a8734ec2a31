import GPConnect
import GPConnectContract

/// Generates one patient of a ``Population``: demographics, registration and a clinical record.
///
/// The record is drawn from rough English primary-care figures, enough to give records of
/// realistic shape and size rather than an epidemiological model: chronic conditions by age
/// (QOF-like prevalences) with their repeat medication and its issues, consultations over the last
/// year at age- and sex-dependent rates, observations, acute prescriptions, blood tests, referrals,
/// influenza and pneumococcal immunisation by age and risk, allergies, and a recall for review.
struct PatientGenerator {
    let plan: PopulationPlan
    let practice: GeneratedPractice
    let index: Int

    typealias Coding = PopulationData.Coding

    /// A long-term condition: who gets it, and what is prescribed for it.
    struct Condition: Sendable {
        var code: Coding
        /// Prevalence by age.
        var prevalence: @Sendable (Int) -> Double
        var medicine: Coding?
        var dosage: String
        var quantity: [String]
    }

    static let conditions: [Condition] = [
        Condition(
            code: PopulationData.hypertension,
            prevalence: { $0 < 30 ? 0 : $0 < 45 ? 0.05 : $0 < 60 ? 0.15 : $0 < 75 ? 0.35 : 0.55 },
            medicine: PopulationData.amlodipine, dosage: "One tablet daily", quantity: ["28", "tablet"]),
        Condition(
            code: PopulationData.diabetes, prevalence: { $0 < 30 ? 0 : $0 < 45 ? 0.01 : $0 < 60 ? 0.06 : $0 < 75 ? 0.13 : 0.17 },
            medicine: PopulationData.metformin, dosage: "One tablet twice a day", quantity: ["56", "tablet"]),
        Condition(
            code: PopulationData.asthma, prevalence: { $0 < 5 ? 0 : $0 < 18 ? 0.09 : 0.065 }, medicine: PopulationData.salbutamol,
            dosage: "Two puffs when required", quantity: ["1", "inhaler"]),
        Condition(
            code: PopulationData.copd, prevalence: { $0 < 40 ? 0 : $0 < 60 ? 0.01 : $0 < 75 ? 0.04 : 0.07 },
            medicine: PopulationData.salbutamol, dosage: "Two puffs four times a day", quantity: ["1", "inhaler"]),
        Condition(
            code: PopulationData.cholesterol, prevalence: { $0 < 40 ? 0 : $0 < 50 ? 0.04 : $0 < 65 ? 0.10 : 0.20 },
            medicine: PopulationData.simvastatin, dosage: "One tablet at night", quantity: ["28", "tablet"]),
        Condition(
            code: PopulationData.depression, prevalence: { $0 < 18 ? 0 : 0.12 }, medicine: PopulationData.sertraline,
            dosage: "One tablet daily", quantity: ["28", "tablet"]),
        Condition(
            code: PopulationData.reflux, prevalence: { $0 < 18 ? 0 : 0.05 }, medicine: nil, dosage: "", quantity: []),
    ]

    /// Consultations a year, by age and sex (NHS Digital appointment data: the very young and the
    /// old consult most; women more than men of working age).
    static func consultationsPerYear(age: Int, female: Bool) -> Double {
        switch age {
        case ..<5: 4
        case ..<16: 1.5
        case ..<45: female ? 3 : 1.5
        case ..<65: female ? 3.5 : 2.5
        case ..<80: 5
        default: 7
        }
    }

    /// The record's items, as seed items, plus the state the generator keeps while adding them.
    struct Record {
        let prefix: String
        var items: [SeedItem] = []
        var counter = 0
        /// Medication items by code: one per medicine, shared by its plans.
        var medicines: [String: String] = [:]

        /// A prescription: the plan, its issues (on the given days) and the medication statement.
        ///
        /// - Returns: the plan's id.
        mutating func prescribe(
            _ medication: String, repeating: Bool, status: String, start: String, end: String?, dosage: String, quantity: [String],
            issues: [String]
        ) -> String {
            let type = repeating ? "repeat" : "acute"
            let plan = add(.medicationPlan, "p") {
                $0.medication = medication
                $0.type = type
                $0.status = status
                $0.date = start
                $0.end = end
                $0.dosage = dosage
                $0.quantity = quantity
                $0.repeats = repeating ? 6 : nil
            }
            for day in issues {
                _ = add(.medicationIssue, "i") {
                    $0.medication = medication
                    $0.plan = plan
                    $0.type = type
                    $0.date = day
                    $0.end = repeating ? nil : end
                    $0.dosage = dosage
                    $0.quantity = quantity
                }
            }
            _ = add(.medicationStatement, "s") {
                $0.medication = medication
                $0.plan = plan
                $0.status = status
                $0.date = start
                $0.end = end
                $0.dosage = dosage
            }
            return plan
        }

        mutating func medicine(_ code: Coding) -> String {
            if let id = medicines[code[0]] { return id }
            let id = add(.medication, "m") { $0.code = code }
            medicines[code[0]] = id
            return id
        }

        mutating func id(_ tag: String) -> String {
            counter += 1
            return "\(prefix)-\(tag)\(counter)"
        }

        mutating func add(_ kind: ClinicalItem.Kind, _ tag: String, _ edit: (inout SeedItem) -> Void) -> String {
            var item = SeedItem(kind: kind, id: id(tag))
            edit(&item)
            items.append(item)
            return item.id
        }
    }

    /// The item with its body as the JSON text a store keeps (encoded here, off the write path).
    static func stored(_ build: @escaping (SeedItem) -> ClinicalItem) -> (SeedItem) -> ClinicalItem {
        { seed in
            var item = build(seed)
            item.body = .json(item.json)
            return item
        }
    }

    static func ago(_ days: Int) -> String { days >= 0 ? "today-\(days)" : "today+\(-days)" }

    func generate(_ rng: inout SeededGenerator) -> GeneratedPatient {
        let localID = String(index - practice.firstPatient + 1)
        let bands = PopulationData.ageBands
        var draw = rng.unit() * bands.reduce(0) { $0 + $1.percent }
        var band = bands[bands.count - 1]
        for candidate in bands {
            if draw < candidate.percent {
                band = candidate
                break
            }
            draw -= candidate.percent
        }
        let age = band.start + rng.int(0...(band.start == 90 ? 9 : 4))
        let female = rng.chance(band.female)
        let birthDate = ClinicalDate.adding(days: -(age * 365 + age / 4 + rng.int(0...364)), to: plan.today)
        let birthYear = Int(birthDate.prefix(4)) ?? 1970
        let cohort = birthYear < 1970 ? 0 : birthYear < 2000 ? 1 : 2
        var given = [rng.pick(female ? PopulationData.femaleNames[cohort] : PopulationData.maleNames[cohort])]
        if rng.chance(0.3) { given.append(rng.pick(female ? PopulationData.femaleNames[cohort] : PopulationData.maleNames[cohort])) }
        let family = rng.pick(PopulationData.familyNames)
        let prefix: [String] = age < 18 ? [] : female ? [rng.pick(["Mrs", "Ms", "Miss"])] : ["Mr"]
        let name = PersonName(use: "official", family: family, given: given, prefix: prefix)
        let town = practice.organizations.first?.addresses.first
        let district = town?.postalCode?.split(separator: " ").first.map(String.init) ?? "LS1"
        let address = Address(
            use: "home", type: "physical", lines: ["\(rng.int(1...250)) \(rng.pick(PopulationData.streets))"], city: town?.city,
            district: town?.district,
            postalCode:
                "\(district) \(rng.int(1...9))\(rng.pick(PopulationData.postcodeLetters))\(rng.pick(PopulationData.postcodeLetters))")
        var telecom = [ContactPoint(system: "phone", value: "01632" + Population.pad(rng.int(960_000...960_999), 6), use: "home")]
        if age >= 12 {
            telecom.append(ContactPoint(system: "phone", value: "07700" + Population.pad(rng.int(900_000...900_999), 6), use: "mobile"))
        }
        // Registered some years ago, never before birth.
        let daysAlive = ClinicalDate.days(from: birthDate, to: plan.today)
        let registeredDaysAgo = min(daysAlive, Int(rng.unit() * rng.unit() * 30 * 365))
        let registration = ClinicalDate.adding(days: -registeredDaysAgo, to: plan.today)
        let gp = rng.pick(practice.practitioners).id
        let number = Population.nhsNumber(index)
        let record = PatientRecord(
            id: localID, nhsNumber: number, name: name, gender: female ? "female" : "male", birthDate: birthDate, addresses: [address],
            telecom: telecom, registrationStart: registration,
            preferredBranchSurgeryID: practice.locations.count > 1 && rng.chance(0.3) ? "2" : "1",
            generalPractitionerID: gp, managingOrganizationID: practice.practice.organizationID, version: "1")
        let demographics = DemographicsRecord(
            nhsNumber: number, name: name, gender: record.gender, birthDate: birthDate, addresses: [address])
        var clinical = Record(prefix: localID)
        addClinicalRecord(&clinical, age: age, female: female, daysAlive: daysAlive, rng: &rng)
        let builder = ClinicalRecordBuilder(
            practice: practice.practice.ods, patientID: localID, today: plan.today, organizationID: practice.practice.organizationID,
            practitionerID: gp)
        return GeneratedPatient(
            index: index, practice: practice.practice.ods, record: record, demographics: demographics,
            items: clinical.items.map(Self.stored(builder.build)), hasDocument: rng.chance(0.005))
    }

    func addClinicalRecord(_ record: inout Record, age: Int, female: Bool, daysAlive: Int, rng: inout SeededGenerator) {
        // Allergies: most records say nothing, some record "no known allergy", a few an allergy.
        let allergy = rng.unit()
        if allergy < 0.08 {
            let code = rng.pick(PopulationData.allergies)
            _ = record.add(.allergy, "a") {
                $0.code = code
                $0.date = Self.ago(rng.int(min(30, daysAlive)...max(30, daysAlive)))
                $0.type = code[0] == "294505008" || code[0] == "293586001" ? "medication" : "environment"
            }
        } else if allergy < 0.35 {
            _ = record.add(.allergy, "a") {
                $0.code = PopulationData.noKnownAllergy
                $0.date = Self.ago(rng.int(min(30, daysAlive)...max(30, daysAlive)))
            }
        }
        // Long-term conditions, each with its repeat prescription and the last few issues.
        var problems: [String] = []
        var chronic = false
        for condition in Self.conditions where rng.chance(condition.prevalence(age)) {
            chronic = true
            let onset = rng.int(90...max(90, min(daysAlive - 1, (age - 18) * 365, 20 * 365)))
            var related: [String] = []
            if let code = condition.medicine {
                let medication = record.medicine(code)
                let lastIssue = rng.int(0...27)
                let plan = record.prescribe(
                    medication, repeating: true, status: "active", start: Self.ago(onset), end: nil, dosage: condition.dosage,
                    quantity: condition.quantity, issues: (0..<min(6, onset / 28)).map { Self.ago(lastIssue + $0 * 28) })
                related.append("MedicationRequest/\(plan)")
            }
            let problem = record.add(.problem, "pr") {
                $0.code = condition.code
                $0.type = "major"
                $0.status = "active"
                $0.date = Self.ago(onset)
                $0.links = related
            }
            problems.append(problem)
        }
        if chronic {
            // The annual review recall.
            _ = record.add(.diaryEntry, "d") {
                $0.code = PopulationData.followUp
                $0.text = "Annual review due"
                $0.date = Self.ago(-rng.int(7...300))
                $0.end = Self.ago(rng.int(1...60))
            }
        }
        // Consultations over the last year, newest last.
        let visits = min(15, rng.poisson(Self.consultationsPerYear(age: age, female: female)))
        let days = (0..<visits).map { _ in rng.int(1...min(365, max(1, daysAlive - 1))) }.sorted(by: >)
        for day in days {
            consultation(&record, day: day, age: age, problems: problems, rng: &rng)
        }
        // A blood test in the last year for most people with a long-term condition, some others over 40.
        if age >= 40, rng.chance(chronic ? 0.7 : 0.2) {
            bloodTest(&record, day: rng.int(2...min(365, max(2, daysAlive - 1))), rng: &rng)
        }
        // Immunisations: influenza every autumn from 65, for the at-risk, and children 2 to 16
        // (nasal); pneumococcal once at 65.
        let autumn = ClinicalDate.days(from: String(plan.today.prefix(4)) + "-10-15", to: plan.today)
        let lastAutumn = autumn >= 0 ? autumn : autumn + 365
        for year in 0..<3 {
            let day = lastAutumn + year * 365 + rng.int(-14...40)
            let ageThen = age - year
            let eligible = ageThen >= 65 || (chronic && ageThen >= 18) || (2...16).contains(ageThen)
            guard day > 0, day < daysAlive, eligible, rng.chance(ageThen >= 65 ? 0.8 : 0.5) else { continue }
            _ = record.add(.immunization, "im") {
                $0.code = PopulationData.influenza
                $0.text = "Seasonal influenza vaccine"
                $0.procedure = PopulationData.influenza
                $0.date = Self.ago(day)
            }
        }
        if age >= 65, rng.chance(0.7) {
            let day = min(daysAlive - 1, max(1, (age - 65) * 365 + rng.int(0...300)))
            _ = record.add(.immunization, "im") {
                $0.code = PopulationData.pneumococcal
                $0.text = "Pneumococcal polysaccharide vaccine"
                $0.procedure = PopulationData.pneumococcal
                $0.date = Self.ago(day)
            }
        }
    }

    /// A surgery consultation: encounter, note, often an observation, sometimes a prescription or
    /// a referral, and the consultation–topic–heading lists that hold them.
    func consultation(
        _ record: inout Record, day: Int, age: Int, problems: [String], rng: inout SeededGenerator
    ) {
        let date = Self.ago(day)
        let reason = rng.pick(PopulationData.consultationReasons)
        let encounter = record.add(.encounter, "e") {
            $0.text = reason
            $0.code = PopulationData.encounter
            $0.date = date
        }
        var entries: [String] = []
        let note = record.add(.narrative, "n") {
            $0.text = "Consultation note"
            $0.dosage = "\(reason): history taken and examined; plan discussed and agreed."
            $0.date = date
        }
        entries.append("Observation/\(note)")
        if rng.chance(age >= 18 ? 0.5 : 0.3) {
            let adult = age >= 18
            let value = adult ? String(110 + rng.int(0...50)) : String(max(3, age * 3 + rng.int(2...8)))
            let observation = record.add(.observation, "o") {
                $0.code = adult ? PopulationData.bloodPressure : PopulationData.weight
                $0.value = [value, adult ? "mm[Hg]" : "kg"]
                $0.date = date
            }
            entries.append("Observation/\(observation)")
        }
        if rng.chance(0.25) {
            let antibiotic = rng.chance(0.6)
            let medication = record.medicine(antibiotic ? PopulationData.amoxicillin : PopulationData.paracetamol)
            let dosage = antibiotic ? "One capsule three times a day" : "Two tablets up to four times a day"
            let quantity = antibiotic ? ["21", "capsule"] : ["32", "tablet"]
            let end = Self.ago(day - 7)
            let plan = record.prescribe(
                medication, repeating: false, status: day > 7 ? "completed" : "active", start: date, end: end, dosage: dosage,
                quantity: quantity, issues: [date])
            entries.append("MedicationRequest/\(plan)")
        }
        if rng.chance(0.04) {
            let code = rng.pick(PopulationData.referrals)
            let referral = record.add(.referral, "rr") {
                $0.code = code
                $0.text = "Specialist opinion"
                $0.date = date
            }
            entries.append("ReferralRequest/\(referral)")
        }
        let heading = record.add(.consultationList, "h") {
            $0.type = "heading"
            $0.text = "Examination"
            $0.date = date
            $0.links = entries
        }
        let topic = record.add(.consultationList, "t") {
            $0.type = "topic"
            $0.text = reason
            $0.parent = reason == "Chronic disease review" ? problems.first : nil
            $0.date = date
            $0.links = ["List/\(heading)"]
        }
        _ = record.add(.consultationList, "c") {
            $0.type = "consultation"
            $0.text = "Surgery consultation"
            $0.encounter = encounter
            $0.date = date
            $0.links = ["List/\(topic)"]
        }
    }

    /// A full blood count: request, specimen, two results in a group, a filing comment and the report.
    func bloodTest(_ record: inout Record, day: Int, rng: inout SeededGenerator) {
        let date = Self.ago(day)
        let request = record.add(.testRequest, "tq") { $0.code = PopulationData.fullBloodCount }
        let specimen = record.add(.specimen, "sp") { $0.date = date }
        let haemoglobin = record.add(.testResult, "tr") {
            $0.code = PopulationData.haemoglobin
            $0.value = [String(120 + rng.int(0...40)), "g/L"]
            $0.date = date
            $0.specimen = specimen
        }
        let whiteCells = record.add(.testResult, "tr") {
            $0.code = PopulationData.whiteCells
            $0.value = ["\(rng.int(4...10)).\(rng.int(0...9))", "10*9/L"]
            $0.date = date
            $0.specimen = specimen
        }
        let group = record.add(.testGroup, "tg") {
            $0.code = PopulationData.fullBloodCount
            $0.date = date
            $0.specimen = specimen
            $0.links = [haemoglobin, whiteCells]
        }
        let comment = record.add(.filingComment, "fc") {
            $0.text = "Normal - no action"
            $0.date = Self.ago(max(0, day - 1))
        }
        _ = record.add(.diagnosticReport, "dr") {
            $0.request = request
            $0.specimen = specimen
            $0.links = [group, comment]
            $0.date = Self.ago(max(0, day - 1))
            $0.text = "Full blood count normal"
        }
    }
}
