/// The fixed lists the synthetic population draws from: an age and sex structure, common names,
/// towns and streets, and the clinical codes (all already used by the reference data set or the
/// long synthetic record, except where noted).
enum PopulationData {
    /// Five-year age bands (the last is 90–99) with their share of the population in percent and the
    /// share of women in each: rounded from ONS, "Population estimates for the UK, England and
    /// Wales, Scotland and Northern Ireland: mid-2021" (England and Wales, single year of age).
    static let ageBands: [(start: Int, percent: Double, female: Double)] = [
        (0, 5.4, 0.488), (5, 6.0, 0.488), (10, 6.0, 0.487), (15, 5.6, 0.487), (20, 6.0, 0.495),
        (25, 6.6, 0.503), (30, 6.9, 0.507), (35, 6.7, 0.508), (40, 6.3, 0.507), (45, 6.3, 0.509),
        (50, 6.9, 0.509), (55, 6.8, 0.508), (60, 5.9, 0.511), (65, 5.1, 0.518), (70, 5.0, 0.526),
        (75, 3.7, 0.541), (80, 2.5, 0.566), (85, 1.5, 0.605), (90, 0.9, 0.680),
    ]

    /// Common family names in England and Wales (ONS and the Guild of One-Name Studies' top lists).
    static let familyNames = [
        "SMITH", "JONES", "WILLIAMS", "TAYLOR", "BROWN", "DAVIES", "EVANS", "WILSON", "THOMAS", "JOHNSON", "ROBERTS",
        "ROBINSON", "THOMPSON", "WRIGHT", "WALKER", "WHITE", "EDWARDS", "HUGHES", "GREEN", "HALL", "LEWIS", "HARRIS",
        "CLARKE", "PATEL", "JACKSON", "WOOD", "TURNER", "MARTIN", "COOPER", "HILL", "WARD", "MORRIS", "MOORE", "CLARK",
        "LEE", "KING", "BAKER", "HARRISON", "MORGAN", "ALLEN", "JAMES", "SCOTT", "PHILLIPS", "WATSON", "DAVIS", "PARKER",
        "PRICE", "BENNETT", "YOUNG", "GRIFFITHS", "MITCHELL", "KELLY", "COOK", "CARTER", "RICHARDSON", "BAILEY", "COLLINS",
        "BELL", "SHAW", "MURPHY", "MILLER", "COX", "RICHARDS", "KHAN", "MARSHALL", "ANDERSON", "SIMPSON", "ELLIS", "ADAMS",
        "SINGH", "BEGUM", "WILKINSON", "FOSTER", "CHAPMAN", "POWELL", "WEBB", "ROGERS", "GRAY", "MASON", "ALI", "HUNT",
        "HUSSAIN", "CAMPBELL", "MATTHEWS", "OWEN", "PALMER", "HOLMES", "MILLS", "BARNES", "KNIGHT", "LLOYD", "BUTLER",
        "RUSSELL", "BARKER", "FISHER", "STEVENS", "JENKINS", "MURRAY", "DIXON", "HARVEY",
    ]

    /// Common given names by sex and birth cohort (ONS baby names, and the most common names of
    /// people born before national lists were kept): born before 1970, 1970–1999, from 2000.
    static let maleNames: [[String]] = [
        [
            "John", "David", "Michael", "Peter", "Robert", "Paul", "Stephen", "Richard", "Alan", "Brian", "Anthony",
            "Christopher", "Kenneth", "Keith", "William", "George", "James", "Ian", "Colin", "Trevor",
        ],
        [
            "Mark", "Daniel", "Andrew", "Matthew", "James", "Christopher", "Thomas", "Adam", "Lee", "Jonathan", "Simon", "Craig",
            "Darren", "Ben", "Luke", "Ryan", "Jamie", "Samuel", "Thomas", "Mohammed",
        ],
        [
            "Oliver", "Jack", "Harry", "George", "Noah", "Charlie", "Jacob", "Alfie", "Freddie", "Oscar", "Leo", "Arthur",
            "Muhammad", "Thomas", "William", "Henry", "Archie", "Joshua", "Ethan", "Theo",
        ],
    ]
    static let femaleNames: [[String]] = [
        [
            "Margaret", "Susan", "Patricia", "Christine", "Linda", "Elizabeth", "Mary", "Janet", "Barbara", "Carol", "Jean",
            "Sandra", "Pauline", "Ann", "Joan", "Valerie", "Julie", "Karen", "Helen", "Gillian",
        ],
        [
            "Sarah", "Emma", "Rebecca", "Laura", "Claire", "Nicola", "Lisa", "Rachel", "Hannah", "Amy", "Lauren", "Charlotte",
            "Katie", "Jessica", "Gemma", "Kelly", "Joanne", "Victoria", "Sophie", "Louise",
        ],
        [
            "Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophia", "Grace", "Mia", "Poppy", "Ella", "Lily", "Evie", "Isabella",
            "Freya", "Florence", "Ivy", "Chloe", "Ruby", "Jessica", "Daisy",
        ],
    ]

    /// Towns for practices and their patients: city, county and the postcode area with a district number range.
    static let towns: [(city: String, district: String, postcode: String, districts: Int)] = [
        ("Leeds", "West Yorkshire", "LS", 29), ("Bradford", "West Yorkshire", "BD", 24), ("Sheffield", "South Yorkshire", "S", 36),
        ("Manchester", "Greater Manchester", "M", 40), ("Liverpool", "Merseyside", "L", 38), ("Birmingham", "West Midlands", "B", 45),
        ("Nottingham", "Nottinghamshire", "NG", 25), ("Leicester", "Leicestershire", "LE", 19), ("Bristol", "Avon", "BS", 41),
        ("Newcastle upon Tyne", "Tyne and Wear", "NE", 30), ("York", "North Yorkshire", "YO", 32),
        ("Stockton-on-Tees", "Cleveland", "TS", 29), ("Norwich", "Norfolk", "NR", 35), ("Exeter", "Devon", "EX", 39),
        ("Reading", "Berkshire", "RG", 45), ("Coventry", "West Midlands", "CV", 37), ("Derby", "Derbyshire", "DE", 24),
        ("Hull", "East Yorkshire", "HU", 20), ("Plymouth", "Devon", "PL", 35), ("Preston", "Lancashire", "PR", 26),
    ]
    static let streets = [
        "High Street", "Station Road", "Church Lane", "Park Road", "Victoria Road", "Green Lane", "Manor Road", "Church Street",
        "Mill Lane", "Queens Road", "New Road", "Kings Road", "Grange Road", "School Lane", "North Street", "Springfield Road",
        "Main Street", "Crescent Road", "Albert Road", "Windsor Road",
    ]
    static let postcodeLetters = Array("ABDEFGHJLNPQRSTUWXYZ").map(String.init)

    typealias Coding = [String]

    // Conditions and what treats them.
    static let hypertension: Coding = ["59621000", "Essential hypertension"]
    static let diabetes: Coding = ["44054006", "Type 2 diabetes mellitus"]
    static let asthma: Coding = ["195967001", "Asthma"]
    /// SNOMED CT 13645005; the only code here the reference data set does not already use.
    static let copd: Coding = ["13645005", "Chronic obstructive lung disease"]
    static let cholesterol: Coding = ["13644009", "Hypercholesterolaemia"]
    static let depression: Coding = ["35489007", "Depressive disorder"]
    static let reflux: Coding = ["235595009", "Gastro-oesophageal reflux disease"]

    // Medicines (dm+d virtual medicinal products, as the reference record codes them).
    static let amlodipine: Coding = ["319740004", "Amlodipine 5mg tablets"]
    static let lisinopril: Coding = ["318135005", "Lisinopril 10mg tablets"]
    static let ramipril: Coding = ["318906001", "Ramipril 2.5mg capsules"]
    static let metformin: Coding = ["325278007", "Metformin 500mg tablets"]
    static let salbutamol: Coding = ["317972000", "Salbutamol 100micrograms/dose inhaler"]
    static let simvastatin: Coding = ["320000009", "Simvastatin 40mg tablets"]
    static let sertraline: Coding = ["321949009", "Sertraline 50mg tablets"]
    static let amoxicillin: Coding = ["323509004", "Amoxicillin 500mg capsules"]
    static let paracetamol: Coding = ["322236009", "Paracetamol 500mg tablets"]

    static let allergies: [Coding] = [
        ["294505008", "Amoxicillin allergy"], ["293586001", "Aspirin allergy"], ["91935009", "Allergy to peanut"],
        ["300913006", "Shellfish allergy"], ["300916003", "Latex allergy"],
    ]
    static let noKnownAllergy: Coding = ["716186003", "No known allergy"]

    static let influenza: Coding = ["86198006", "Influenza vaccination"]
    static let pneumococcal: Coding = ["836398006", "Pneumococcal vaccination"]

    static let encounter: Coding = ["185316007", "Indirect encounter"]
    static let bloodPressure: Coding = ["75367002", "Blood pressure"]
    static let weight: Coding = ["27113001", "Body weight"]
    static let neverSmoked: Coding = ["266919005", "Never smoked tobacco"]
    static let fullBloodCount: Coding = ["26604007", "Full blood count"]
    static let haemoglobin: Coding = ["1022451000000103", "Haemoglobin estimation"]
    static let whiteCells: Coding = ["1022541000000102", "Total white blood count"]
    static let creatinine: Coding = ["1000731000000107", "Serum creatinine level"]
    static let bloodChemistry: Coding = ["166312007", "Blood chemistry"]
    static let followUp: Coding = ["390906007", "Follow-up encounter"]
    static let referrals: [Coding] = [
        ["183519002", "Referral to cardiology service"], ["183524004", "Referral to psychiatry service"],
        ["183545006", "Referral to orthopaedic service"],
    ]
    static let consultationReasons = [
        "Chest infection", "Back pain", "Medication review", "Sore throat", "Rash", "Headache", "Chronic disease review",
        "Abdominal pain", "Anxiety", "Joint pain", "Cough", "Fatigue",
    ]
}
