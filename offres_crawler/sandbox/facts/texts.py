"""Partners, skills, qualities and text fragments the offers are written with."""

from __future__ import annotations

# Partner job boards (origineOffre.partenaires[].nom) and their relative volume.
PARTNERS = (
    ("INDEED", 6.0), ("METEOJOB", 3.0), ("DIRECTEMPLOI", 2.5), ("CADREMPLOI", 2.0),
    ("HELLOWORK", 3.0), ("BEETWEEN", 1.0), ("BROADBEAN", 1.0), ("TALENTPLUG", 1.5),
    ("HANDICAP_JOB", 0.5), ("WE_RECRUIT", 0.8), ("DIGITAL RECRUITERS", 0.8), ("SOFTY", 0.6),
    ("OUESTFRANCE", 0.7), ("JOBINLIVE", 0.5), ("BATIACTU", 0.3), ("Industrie Recrute", 0.3),
    ("TALENTCOM", 0.5), ("FRANCE_TRAVAIL_RECRUTE", 0.4), ("LABONNEALTERNANCE", 1.2),
    ("MONSTER", 0.8), ("MOOVIJOB", 0.4), ("CRECHEMPLOI", 0.2), ("COOKORICO", 0.2),
    ("GOJOB", 0.6), ("PMEJOB", 0.3), ("AEROCONTACT", 0.1), ("DOGFINANCE", 0.1),
)
PARTNER_LOGO = "https://www.francetravail.fr/logos/img/partenaires/{}80.png"

# Skills by grand domaine letter; every métier also draws from the transverse ones.
COMPETENCES = {
    "A": ("Entretenir les espaces verts", "Tailler des arbres et arbustes", "Conduire un tracteur",
          "Réaliser des travaux de récolte", "Surveiller l'état de santé des animaux",
          "Préparer les sols et les semis"),
    "B": ("Concevoir une décoration", "Travailler le métal", "Réaliser des pièces uniques",
          "Restaurer des objets anciens", "Assembler des pièces de cuir", "Réaliser des croquis"),
    "C": ("Analyser la situation financière d'un client", "Proposer des produits bancaires",
          "Gérer un portefeuille clients", "Instruire un dossier de sinistre",
          "Estimer un bien immobilier", "Rédiger un bail"),
    "D": ("Accueillir la clientèle", "Conseiller un client", "Encaisser un paiement",
          "Mettre en rayon des produits", "Négocier un contrat commercial", "Prospecter de nouveaux clients"),
    "E": ("Rédiger des contenus éditoriaux", "Animer des réseaux sociaux", "Réaliser une maquette graphique",
          "Utiliser la suite Adobe", "Concevoir une campagne publicitaire", "Monter une vidéo"),
    "F": ("Lire un plan de construction", "Monter un mur en parpaings", "Poser des revêtements",
          "Réaliser une installation électrique", "Encadrer une équipe de chantier", "Chiffrer des travaux"),
    "G": ("Préparer des plats simples", "Servir en salle", "Accueillir des clients en réception",
          "Respecter les règles d'hygiène HACCP", "Nettoyer une chambre d'hôtel", "Animer des activités de loisirs"),
    "H": ("Conduire une ligne de production", "Contrôler la qualité des pièces", "Souder des pièces métalliques",
          "Lire un plan mécanique", "Régler une machine de production", "Conditionner des produits"),
    "I": ("Diagnostiquer une panne", "Réaliser la maintenance préventive", "Réparer un véhicule",
          "Installer un équipement frigorifique", "Dépanner un poste informatique", "Remplacer des pièces d'usure"),
    "J": ("Réaliser des soins d'hygiène", "Surveiller l'état de santé d'un patient", "Préparer des médicaments",
          "Réaliser des prélèvements", "Accompagner un patient", "Tenir un dossier de soins"),
    "K": ("Accompagner une personne dans les actes de la vie quotidienne", "Entretenir des locaux",
          "Surveiller un site", "Animer une séance de formation", "Conduire un entretien d'accompagnement",
          "Garder des enfants"),
    "L": ("Animer un spectacle", "Régler une console de son", "Interpréter un rôle",
          "Installer du matériel scénique", "Préparer une compétition sportive", "Encadrer un public"),
    "M": ("Saisir des écritures comptables", "Gérer la paie", "Recruter des candidats",
          "Rédiger des courriers", "Analyser des données", "Piloter un projet",
          "Développer une application", "Administrer une base de données", "Utiliser SQL",
          "Programmer en Python", "Administrer des serveurs Linux", "Définir une stratégie marketing"),
    "N": ("Préparer des commandes", "Conduire un chariot élévateur", "Livrer des marchandises",
          "Conduire un poids lourd", "Gérer des stocks", "Organiser des tournées de livraison"),
    "*": ("Travailler en équipe", "Respecter les consignes de sécurité", "Utiliser les outils bureautiques",
          "Rendre compte de son activité"),
}

QUALITES_PROFESSIONNELLES = (
    ("Travailler en équipe", "Capacité à travailler avec d'autres personnes en coopérant."),
    ("Faire preuve d'autonomie", "Capacité à prendre en charge son activité sans devoir être encadré de façon continue."),
    ("Faire preuve de rigueur et de précision", "Capacité à respecter les règles et les procédures."),
    ("Faire preuve de réactivité", "Capacité à agir rapidement et de façon appropriée."),
    ("Organiser son travail selon les priorités et les objectifs", "Capacité à planifier ses tâches."),
    ("Avoir le sens du service", "Capacité à satisfaire les clients et les usagers."),
    ("Gérer son stress", "Capacité à garder le contrôle de soi dans des situations difficiles."),
    ("Faire preuve de curiosité", "Capacité à aller au-delà de ce que l'on connaît."),
)

HORAIRES = ("35H/semaine", "39H/semaine", "35H Travail en journée", "37H30 Travail en journée",
            "Travail en horaires décalés", "Travail les week-ends et jours fériés", "Travail de nuit",
            "Travail saisonnier")
CONDITIONS_EXERCICE = ("En contact avec du public", "Port de tenue professionnelle ou d'uniforme",
                       "Station debout prolongée", "Travail en extérieur", "Port de charges")

FORMATION_DOMAINES = ("Informatique", "Comptabilité", "Commerce", "Hôtellerie restauration",
                      "Sanitaire et social", "Bâtiment", "Mécanique", "Logistique", "Statistique",
                      "Gestion", "Électricité", "Agriculture")

OUTILS_BUREAUTIQUES = ("Traitement de texte", "Tableur", "Logiciel de gestion", "Internet",
                       "Messagerie électronique", "Progiciel de gestion intégré (ERP)")

COMPANY_HEADS = ("GROUPE", "SOCIETE", "ETABLISSEMENTS", "CABINET", "ATELIER", "MAISON", "AGENCE",
                 "CENTRE", "SARL", "SAS")
COMPANY_TAILS = ("DUPONT", "MARTIN", "LEROY", "BERNARD", "DURAND", "PETIT", "MOREAU", "LAURENT",
                 "SIMON", "MICHEL", "GARNIER", "FOURNIER", "ROUSSEL", "BLANC", "GUERIN", "MULLER",
                 "ALPHA SERVICES", "OCEANE", "HORIZON", "AVENIR", "ATLANTIQUE", "MEDITERRANEE",
                 "ALPES", "NORD INDUSTRIE", "SOLUTIONS", "CONSEIL", "LOGISTIQUE", "SANTE",
                 "INFORMATIQUE", "BATIMENT")

DESCRIPTION_OPENINGS = (
    "Nous recherchons un(e) {m} pour renforcer notre équipe.",
    "Dans le cadre de notre développement, nous recrutons un(e) {m}.",
    "Rejoignez une entreprise à taille humaine en tant que {m}.",
    "Votre agence recrute pour l'un de ses clients un(e) {m}.",
    "Poste de {m} à pourvoir rapidement.",
)
DESCRIPTION_MISSIONS = (
    "Vous assurez les missions suivantes :",
    "Vos missions :",
    "Au quotidien, vous serez chargé(e) de :",
    "Missions principales :",
)
DESCRIPTION_PROFILES = (
    "Vous êtes rigoureux(se), organisé(e) et avez le sens du travail en équipe.",
    "Une première expérience sur un poste similaire est appréciée.",
    "Débutant(e) accepté(e) : une formation interne est assurée.",
    "Vous êtes autonome et avez le sens du service client.",
    "Permis B souhaité pour les déplacements.",
)
DESCRIPTION_BENEFITS = (
    "Mutuelle d'entreprise et tickets restaurant.",
    "Rémunération selon profil et expérience.",
    "Poste évolutif au sein d'un groupe en croissance.",
    "Télétravail possible deux jours par semaine.",
    "Prime annuelle et participation aux bénéfices.",
)
