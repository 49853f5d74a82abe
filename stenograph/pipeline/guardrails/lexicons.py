"""Word lists for the policies that are closed classes of terms (matched whole-word, case-insensitively,
plurals included). Terms that are also common words or names elsewhere ("cancer" the sign, "single"
as a number) are in ``CONTEXT_ONLY`` and count only near one of their context words."""

from __future__ import annotations

BLOOD_TYPES = (
    "A positive", "A negative", "B positive", "B negative", "AB positive", "AB negative",
    "O positive", "O negative", "AB+", "AB-",
)

ZODIAC_SIGNS = (
    "Aries", "Taurus", "Gemini", "Cancer", "Leo", "Virgo", "Libra", "Scorpio", "Sagittarius",
    "Capricorn", "Aquarius", "Pisces",
)

RELIGIONS = (
    "Christian", "Christianity", "Catholic", "Catholicism", "Protestant", "Baptist", "Methodist",
    "Lutheran", "Presbyterian", "Anglican", "Episcopalian", "Evangelical", "Pentecostal", "Mormon",
    "Orthodox", "Jewish", "Jew", "Judaism", "Muslim", "Islam", "Islamic", "Sunni", "Shia", "Hindu",
    "Hinduism", "Buddhist", "Buddhism", "Sikh", "Sikhism", "Jain", "Jainism", "Taoist", "Shinto",
    "atheist", "atheism", "agnostic", "Quaker", "Amish", "Mennonite", "Jehovah's Witness",
    "Seventh-day Adventist", "Rastafarian", "Wiccan", "pagan", "Zoroastrian", "Bahai", "Baha'i",
)

POLITICAL_AFFILIATIONS = (
    "Republican", "Democrat", "Democratic Party", "Republican Party", "Libertarian", "Green Party",
    "Labour", "Tory", "Conservative Party", "Liberal Democrat", "socialist", "communist", "Marxist",
    "fascist", "anarchist", "progressive", "conservative", "liberal", "leftist", "right-wing",
    "left-wing", "centrist", "Independent voter", "MAGA", "Whig",
)

MARITAL_STATUSES = (
    "married", "unmarried", "single", "divorced", "divorcee", "separated", "widowed", "widow",
    "widower", "engaged", "fiance", "fiancee", "fiancé", "fiancée", "husband", "wife", "ex-wife",
    "ex-husband", "common-law", "domestic partner", "civil partnership", "spouse", "newlywed",
)

GENDER_SEXUALITY = (
    "female", "male", "non-binary", "nonbinary", "transgender", "trans", "cisgender", "genderqueer",
    "genderfluid", "intersex", "gay", "lesbian", "bisexual", "queer", "heterosexual", "homosexual",
    "straight", "asexual", "pansexual", "LGBT", "LGBTQ", "LGBTQ+", "woman", "man",
)

NATIONALITIES = (
    "American", "Canadian", "Mexican", "Brazilian", "Argentinian", "Argentine", "Chilean",
    "Colombian", "Peruvian", "Venezuelan", "Cuban", "Jamaican", "Haitian", "British", "English",
    "Scottish", "Welsh", "Irish", "French", "German", "Italian", "Spanish", "Portuguese", "Dutch",
    "Belgian", "Swiss", "Austrian", "Swedish", "Norwegian", "Danish", "Finnish", "Icelandic", "Polish",
    "Czech", "Slovak", "Hungarian", "Romanian", "Bulgarian", "Greek", "Turkish", "Russian",
    "Ukrainian", "Belarusian", "Serbian", "Croatian", "Bosnian", "Albanian", "Lithuanian", "Latvian",
    "Estonian", "Chinese", "Japanese", "Korean", "Vietnamese", "Thai", "Filipino", "Indonesian",
    "Malaysian", "Singaporean", "Indian", "Pakistani", "Bangladeshi", "Sri Lankan", "Nepali",
    "Afghan", "Iranian", "Iraqi", "Syrian", "Lebanese", "Israeli", "Palestinian", "Jordanian",
    "Saudi", "Egyptian", "Moroccan", "Algerian", "Tunisian", "Libyan", "Nigerian", "Ghanaian",
    "Kenyan", "Ethiopian", "Somali", "South African", "Zimbabwean", "Ugandan", "Australian",
    "New Zealander", "Kiwi", "Asian", "African", "European", "Latino", "Latina", "Latinx",
    "Hispanic", "Caucasian", "Black", "White", "Arab", "Native American", "Indigenous",
    "African American", "Asian American", "Pacific Islander",
)

LANGUAGES = (
    "English", "Spanish", "French", "German", "Italian", "Portuguese", "Dutch", "Russian", "Chinese",
    "Mandarin", "Cantonese", "Japanese", "Korean", "Arabic", "Hindi", "Urdu", "Bengali", "Punjabi",
    "Tamil", "Telugu", "Turkish", "Polish", "Ukrainian", "Greek", "Hebrew", "Swedish", "Norwegian",
    "Danish", "Finnish", "Czech", "Hungarian", "Romanian", "Vietnamese", "Thai", "Indonesian",
    "Malay", "Tagalog", "Swahili", "Persian", "Farsi", "Latin", "Sign Language", "ASL",
)

OCCUPATIONS = (
    "accountant", "actor", "actress", "architect", "artist", "attorney", "baker", "banker", "barber",
    "bartender", "biologist", "bookkeeper", "builder", "butcher", "carpenter", "cashier", "CEO",
    "CFO", "chef", "chemist", "clerk", "coach", "consultant", "contractor", "cook", "counselor",
    "dentist", "designer", "detective", "developer", "dietitian", "doctor", "driver", "economist",
    "editor", "electrician", "engineer", "farmer", "firefighter", "fisherman", "flight attendant",
    "gardener", "geologist", "hairdresser", "historian", "janitor", "journalist", "judge",
    "labourer", "laborer", "lawyer", "lecturer", "librarian", "lifeguard", "machinist", "manager",
    "mechanic", "midwife", "miner", "musician", "nanny", "nurse", "optician", "painter",
    "paralegal", "paramedic", "pharmacist", "photographer", "physician", "physicist",
    "physiotherapist", "pilot", "plumber", "police officer", "policeman", "policewoman",
    "politician", "postman", "professor", "programmer", "psychiatrist", "psychologist",
    "receptionist", "reporter", "researcher", "sailor", "salesman", "saleswoman", "scientist",
    "secretary", "senator", "singer", "social worker", "software engineer", "soldier", "surgeon",
    "tailor", "teacher", "technician", "therapist", "translator", "veterinarian", "waiter",
    "waitress", "welder", "writer", "CPA", "nurse practitioner", "registered nurse", "accountant",
    "analyst", "administrator", "cleaner", "courier", "dispatcher", "firefighter", "professor",
)

DRUGS = (
    "Advil", "Tylenol", "acetaminophen", "paracetamol", "ibuprofen", "aspirin", "naproxen", "Aleve",
    "Motrin", "Panadol", "codeine", "morphine", "oxycodone", "OxyContin", "hydrocodone", "Vicodin",
    "fentanyl", "tramadol", "methadone", "buprenorphine", "Suboxone", "naloxone", "Narcan",
    "amoxicillin", "penicillin", "azithromycin", "Zithromax", "doxycycline", "ciprofloxacin",
    "cephalexin", "metformin", "insulin", "Ozempic", "semaglutide", "Wegovy", "Mounjaro",
    "lisinopril", "amlodipine", "losartan", "metoprolol", "atenolol", "hydrochlorothiazide",
    "furosemide", "Lasix", "atorvastatin", "Lipitor", "simvastatin", "rosuvastatin", "Crestor",
    "warfarin", "Coumadin", "Eliquis", "apixaban", "Xarelto", "clopidogrel", "Plavix", "heparin",
    "prednisone", "prednisolone", "dexamethasone", "hydrocortisone", "albuterol", "Ventolin",
    "inhaler", "Zoloft", "sertraline", "Prozac", "fluoxetine", "Lexapro", "escitalopram",
    "citalopram", "Paxil", "paroxetine", "Wellbutrin", "bupropion", "Xanax", "alprazolam",
    "Valium", "diazepam", "Ativan", "lorazepam", "Klonopin", "clonazepam", "Adderall", "Ritalin",
    "methylphenidate", "lithium", "Seroquel", "quetiapine", "Abilify", "risperidone", "gabapentin",
    "Neurontin", "pregabalin", "Lyrica", "levothyroxine", "Synthroid", "omeprazole", "Prilosec",
    "Nexium", "pantoprazole", "ranitidine", "Zantac", "loratadine", "Claritin", "cetirizine",
    "Zyrtec", "Benadryl", "diphenhydramine", "melatonin", "Viagra", "sildenafil", "Cialis",
    "Humira", "chemotherapy drugs", "antibiotics", "antidepressants", "vitamin D", "vitamin C",
    "vitamin B12", "multivitamin", "iron supplements", "fish oil", "Sudafed", "NyQuil", "DayQuil",
    "Mucinex", "ketamine", "cannabis", "marijuana", "cocaine", "heroin", "methamphetamine",
)

MEDICAL_CONDITIONS = (
    "diabetes", "type 1 diabetes", "type 2 diabetes", "hypertension", "high blood pressure",
    "asthma", "COPD", "emphysema", "bronchitis", "pneumonia", "tuberculosis", "influenza", "flu",
    "COVID", "COVID-19", "coronavirus", "HIV", "AIDS", "hepatitis", "hepatitis C", "cancer",
    "breast cancer", "lung cancer", "prostate cancer", "leukemia", "lymphoma", "melanoma", "tumor",
    "tumour", "arthritis", "rheumatoid arthritis", "osteoarthritis", "osteoporosis", "lupus",
    "multiple sclerosis", "Parkinson's", "Parkinson's disease", "Alzheimer's", "Alzheimer's disease",
    "dementia", "epilepsy", "seizures", "migraine", "migraines", "stroke", "heart attack",
    "heart disease", "heart failure", "arrhythmia", "atrial fibrillation", "angina",
    "kidney disease", "kidney stones", "liver disease", "cirrhosis", "celiac disease",
    "Crohn's disease", "colitis", "IBS", "irritable bowel syndrome", "GERD", "acid reflux", "ulcer",
    "anemia", "anaemia", "hemophilia", "sickle cell", "thyroid disease", "hypothyroidism",
    "hyperthyroidism", "obesity", "depression", "anxiety", "anxiety disorder", "bipolar disorder",
    "schizophrenia", "PTSD", "OCD", "ADHD", "autism", "eating disorder", "anorexia", "bulimia",
    "insomnia", "sleep apnea", "chronic fatigue syndrome", "fibromyalgia", "allergies", "allergy",
    "eczema", "psoriasis", "acne", "glaucoma", "cataracts", "macular degeneration", "hearing loss",
    "tinnitus", "sinusitis", "strep throat", "infection", "sepsis", "gout", "scoliosis",
    "endometriosis", "infertility", "pregnancy", "gestational diabetes", "preeclampsia", "measles",
    "mumps", "chickenpox", "shingles", "herpes", "chlamydia", "gonorrhea", "syphilis", "addiction",
    "alcoholism", "substance abuse", "concussion", "high cholesterol", "diverticulitis",
    "appendicitis", "pancreatitis", "cystic fibrosis", "muscular dystrophy", "ALS", "Down syndrome",
)

MEDICAL_PROCESSES = (
    "surgery", "heart surgery", "bypass surgery", "open heart surgery", "knee replacement",
    "hip replacement", "appendectomy", "hysterectomy", "mastectomy", "tonsillectomy", "C-section",
    "cesarean", "caesarean", "biopsy", "chemotherapy", "chemo", "radiation therapy", "radiotherapy",
    "dialysis", "transplant", "kidney transplant", "liver transplant", "CT scan", "CAT scan",
    "MRI", "MRI scan", "X-ray", "x-ray", "ultrasound", "mammogram", "colonoscopy", "endoscopy",
    "EKG", "ECG", "EEG", "blood test", "blood work", "urine test", "physical therapy",
    "physiotherapy", "occupational therapy", "vaccination", "vaccine", "flu shot", "booster",
    "stitches", "angioplasty", "stent", "pacemaker", "catheter", "intubation", "anesthesia",
    "anaesthesia", "IVF", "in vitro fertilization", "blood transfusion", "lumpectomy",
    "physical exam", "checkup", "check-up", "screening", "PET scan", "bone marrow transplant",
    "psychotherapy", "counseling", "rehab", "rehabilitation", "amputation", "laser eye surgery",
    "LASIK", "root canal", "filling", "tooth extraction", "vasectomy", "circumcision",
)

INJURIES = (
    "broke my arm", "broke my leg", "broken arm", "broken leg", "broken wrist", "broken ankle",
    "broken nose", "broken rib", "broken ribs", "broken bone", "broken hip", "fracture", "fractured",
    "sprain", "sprained", "sprained ankle", "sprained wrist", "dislocated", "dislocated shoulder",
    "torn ACL", "torn ligament", "torn muscle", "pulled muscle", "whiplash", "concussion", "bruise",
    "bruised", "laceration", "cut my hand", "burn", "burns", "second-degree burn", "third-degree burn",
    "bite", "dog bite", "gunshot wound", "stab wound", "head injury", "back injury", "neck injury",
    "spinal injury", "spinal cord injury", "knee injury", "shoulder injury", "hamstring",
    "tendonitis", "herniated disc", "slipped disc",
)

EVENTS = (
    "Christmas", "Christmas Eve", "New Year's", "New Year's Eve", "New Year's Day", "Easter",
    "Thanksgiving", "Halloween", "Hanukkah", "Chanukah", "Passover", "Yom Kippur", "Rosh Hashanah",
    "Ramadan", "Eid", "Diwali", "Holi", "Lunar New Year", "Chinese New Year", "Valentine's Day",
    "Mother's Day", "Father's Day", "Independence Day", "Fourth of July", "Memorial Day",
    "Labor Day", "Veterans Day", "Presidents' Day", "Martin Luther King Day", "Juneteenth",
    "St. Patrick's Day", "Saint Patrick's Day", "Mardi Gras", "Boxing Day", "Canada Day",
    "Bastille Day", "Olympics", "Olympic Games", "World Cup", "Super Bowl", "World Series",
    "Wimbledon", "Tour de France", "Oscars", "Grammys", "Coachella", "Burning Man", "Oktoberfest",
    "Black Friday", "Cyber Monday", "Good Friday", "Lent", "Advent", "Kwanzaa", "Pride Month",
    "Comic-Con", "CES", "Glastonbury",
)

# Terms that also have a common everyday reading: they count only near one of their context words.
CONTEXT_ONLY: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # policy: (ambiguous terms, context words)
    "zodiac_sign": (("Cancer", "Leo", "Libra", "Gemini", "Aries", "Virgo", "Scorpio"),
                    ("sign", "zodiac", "horoscope", "star", "astrology", "born")),
    "blood_type": (("A positive", "A negative", "B positive", "B negative", "O positive", "O negative",
                    "AB+", "AB-"), ("blood", "donor", "type", "group", "transfusion")),
    "marital_status": (("single", "engaged", "separated", "husband", "wife", "spouse"),
                       ("married", "marital", "status", "divorced", "i'm", "am", "i", "my", "status")),
    "gender_sexuality": (("female", "male", "straight", "trans", "woman", "man", "queer"),
                         ("gender", "identify", "identifies", "sexuality", "sexual", "orientation")),
    "political_affiliation": (("progressive", "conservative", "liberal", "Independent voter", "Labour"),
                              ("vote", "voted", "voter", "party", "political", "politically", "politics")),
    "language": (("English", "Spanish", "French", "German", "Italian", "Portuguese", "Dutch",
                  "Russian", "Chinese", "Japanese", "Korean", "Greek", "Turkish", "Polish",
                  "Ukrainian", "Swedish", "Norwegian", "Danish", "Finnish", "Czech", "Hungarian",
                  "Romanian", "Vietnamese", "Thai", "Indonesian", "Latin"),
                 ("speak", "speaks", "spoke", "language", "languages", "fluent", "learning", "translate",
                  "translator", "bilingual", "native")),
    "nationality": (("Black", "White", "Indigenous", "English", "Kiwi"),
                    ("race", "ethnicity", "ethnic", "nationality", "identify", "citizen", "descent")),
    "medical_condition": (("cancer", "flu", "infection", "ulcer", "allergy", "allergies",
                           "pregnancy", "addiction", "ALS", "stroke", "anxiety", "depression"),
                          ("diagnose", "diagnosed", "diagnosis", "suffer", "suffers", "suffering", "have",
                           "has", "had", "treatment", "treat", "treated", "condition", "history", "symptom",
                           "symptoms", "patient")),
    "medical_process": (("filling", "booster", "screening", "checkup", "check-up", "stitches",
                         "rehab", "counseling", "vaccine", "surgery"),
                        ("doctor", "hospital", "dentist", "clinic", "scheduled", "had", "have", "need",
                         "needs", "patient", "medical", "underwent", "surgeon")),
    "occupation": (("driver", "cook", "coach", "judge", "cleaner", "manager", "developer",
                    "designer", "analyst", "writer", "artist", "consultant", "administrator"),
                   ("work", "works", "worked", "working", "job", "profession", "am", "i'm", "as",
                    "career", "employed", "occupation")),
    "injury": (("burn", "burns", "bite", "bruise", "hamstring"),
               ("injury", "injured", "hurt", "hospital", "doctor", "pain", "accident")),
}

LEXICONS: dict[str, tuple[str, ...]] = {
    "blood_type": BLOOD_TYPES,
    "zodiac_sign": ZODIAC_SIGNS,
    "religion": RELIGIONS,
    "political_affiliation": POLITICAL_AFFILIATIONS,
    "marital_status": MARITAL_STATUSES,
    "gender_sexuality": GENDER_SEXUALITY,
    "nationality": NATIONALITIES,
    "language": LANGUAGES,
    "occupation": OCCUPATIONS,
    "drug": DRUGS,
    "medical_condition": MEDICAL_CONDITIONS,
    "medical_process": MEDICAL_PROCESSES,
    "injury": INJURIES,
    "event": EVENTS,
}
