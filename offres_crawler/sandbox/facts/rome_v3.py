"""The built-in ROME v3 subset: 127 common métiers, their weights in the market and appellations.

Before ROME 4.0 the sandbox knew only these. They still serve two purposes: (1) with the ROME 4.0
list (see `rome_list.py`), their weights and appellations make the common jobs common, since the
same codes survived into ROME 4.0; (2) without that list, they are the whole métier referentiel
(a fallback the sandbox logs as such). Libellés are the ROME v3 métier names, written from public
knowledge; weights are rough national proportions.
"""

from __future__ import annotations

# code|libellé du métier|weight|appellations separated by ";"
_METIERS = """\
A1101|Conduite d'engins agricoles et forestiers|0.6|Conducteur / Conductrice d'engins agricoles;Chauffeur / Chauffeuse de tracteur
A1201|Bûcheronnage et élagage|0.3|Bûcheron / Bûcheronne;Elagueur / Elagueuse
A1203|Aménagement et entretien des espaces verts|1.5|Jardinier / Jardinière espaces verts;Paysagiste;Ouvrier / Ouvrière du paysage
A1301|Conseil et assistance technique en agriculture|0.3|Conseiller / Conseillère agricole;Technicien / Technicienne agricole
A1401|Aide agricole de production fruitière ou viticole|1.4|Ouvrier / Ouvrière viticole;Cueilleur / Cueilleuse de fruits;Vendangeur / Vendangeuse
A1407|Élevage bovin ou équin|0.4|Agent / Agente d'élevage laitier;Palefrenier / Palefrenière
A1414|Horticulture et maraîchage|0.6|Maraîcher / Maraîchère;Ouvrier / Ouvrière horticole
A1501|Soins aux animaux|0.4|Toiletteur / Toiletteuse canin;Soigneur / Soigneuse animalier
B1301|Décoration d'espaces de vente et d'exposition|0.2|Etalagiste décorateur / décoratrice;Décorateur / Décoratrice d'intérieur
B1601|Métallerie d'art|0.1|Ferronnier / Ferronnière d'art;Bijoutier / Bijoutière
B1802|Réalisation d'articles en cuir et matériaux souples|0.1|Maroquinier / Maroquinière;Sellier / Sellière
C1102|Conseil clientèle en assurances|0.8|Conseiller / Conseillère clientèle en assurances;Chargé / Chargée de clientèle assurance
C1206|Gestion de clientèle bancaire|1.0|Conseiller / Conseillère clientèle bancaire;Chargé / Chargée d'affaires professionnels banque
C1401|Gestion en banque et assurance|0.4|Gestionnaire back-office banque;Gestionnaire sinistres
C1501|Gérance immobilière|0.3|Gestionnaire de copropriété;Syndic de copropriété
C1502|Gestion locative immobilière|0.3|Gestionnaire locatif / locative;Assistant / Assistante de gestion locative
C1504|Transaction immobilière|0.9|Négociateur / Négociatrice immobilier;Agent / Agente immobilier;Conseiller / Conseillère immobilier
D1101|Boucherie|0.7|Boucher / Bouchère;Boucher / Bouchère en grande surface
D1102|Boulangerie - viennoiserie|0.9|Boulanger / Boulangère;Boulanger / Boulangère pâtissier
D1104|Pâtisserie, confiserie, chocolaterie et glacerie|0.5|Pâtissier / Pâtissière;Chocolatier / Chocolatière
D1106|Vente en alimentation|2.0|Vendeur / Vendeuse en boulangerie-pâtisserie;Vendeur / Vendeuse en produits frais;Employé / Employée de commerce alimentaire
D1211|Vente en articles de sport et loisirs|0.5|Vendeur / Vendeuse en articles de sport;Vendeur / Vendeuse en jouets
D1214|Vente en habillement et accessoires de la personne|1.5|Vendeur / Vendeuse en prêt-à-porter;Conseiller / Conseillère de vente en chaussures
D1401|Assistanat commercial|1.1|Assistant / Assistante commercial;Assistant / Assistante administration des ventes
D1402|Relation commerciale grands comptes et entreprises|1.3|Responsable grands comptes;Ingénieur / Ingénieure d'affaires;Key account manager
D1403|Relation commerciale auprès de particuliers|1.5|Commercial / Commerciale auprès des particuliers;Conseiller / Conseillère commercial
D1406|Management en force de vente|0.6|Directeur / Directrice commercial;Chef des ventes
D1407|Relation technico-commerciale|1.2|Technico-commercial / Technico-commerciale;Attaché / Attachée technico-commercial
D1501|Animation de vente|0.5|Animateur / Animatrice des ventes;Démonstrateur / Démonstratrice
D1502|Management/gestion de rayon produits alimentaires|0.8|Chef de rayon produits frais;Manager de rayon
D1505|Personnel de caisse|1.2|Hôte / Hôtesse de caisse;Employé / Employée de libre-service caissier
D1507|Mise en rayon libre-service|1.8|Employé / Employée de libre-service;Employé / Employée de rayon
E1101|Animation de site multimédia|0.4|Community manager;Animateur / Animatrice de communauté web
E1103|Communication|0.7|Chargé / Chargée de communication;Responsable communication
E1104|Conception de contenus multimédias|0.3|Concepteur / Conceptrice multimédia;UX designer
E1205|Réalisation de contenus multimédias|0.4|Graphiste;Infographiste;Motion designer
E1401|Développement et promotion publicitaire|0.3|Chef de publicité;Commercial / Commerciale en publicité
F1104|Dessin BTP et paysage|0.5|Dessinateur / Dessinatrice BTP;Projeteur / Projeteuse BTP
F1106|Ingénierie et études du BTP|0.9|Ingénieur / Ingénieure études de prix BTP;Economiste de la construction;Technicien / Technicienne bureau d'études BTP
F1201|Conduite de travaux du BTP et de travaux paysagers|1.1|Conducteur / Conductrice de travaux;Chef de chantier
F1302|Conduite de grue|0.3|Grutier / Grutière;Conducteur / Conductrice de grue
F1501|Montage de structures et de charpentes bois|0.4|Charpentier / Charpentière bois;Monteur / Monteuse de charpente
F1602|Électricité bâtiment|1.6|Electricien / Electricienne du bâtiment;Electricien / Electricienne tertiaire
F1603|Installation d'équipements sanitaires et thermiques|1.3|Plombier / Plombière;Chauffagiste;Installateur / Installatrice thermique
F1606|Peinture en bâtiment|0.8|Peintre en bâtiment;Peintre décorateur / décoratrice
F1608|Pose de revêtements rigides|0.4|Carreleur / Carreleuse;Faïencier / Faïencière
F1703|Maçonnerie|1.2|Maçon / Maçonne;Maçon / Maçonne VRD;Compagnon maçon / maçonne
G1201|Accompagnement de voyages, d'activités culturelles ou sportives|0.3|Guide touristique;Accompagnateur / Accompagnatrice de voyages
G1202|Animation d'activités culturelles ou ludiques|0.6|Animateur / Animatrice d'activités culturelles;Animateur / Animatrice de club de vacances
G1203|Animation de loisirs auprès d'enfants ou d'adolescents|1.2|Animateur / Animatrice de centre de loisirs;Animateur / Animatrice périscolaire
G1501|Personnel d'étage|1.0|Femme / Valet de chambre;Employé / Employée d'étage
G1502|Personnel polyvalent d'hôtellerie|0.6|Employé / Employée polyvalent d'hôtellerie;Veilleur / Veilleuse de nuit en hôtellerie
G1601|Management du personnel de cuisine|0.6|Chef de cuisine;Second / Seconde de cuisine
G1602|Personnel de cuisine|2.3|Cuisinier / Cuisinière;Commis / Commise de cuisine;Chef de partie
G1603|Personnel polyvalent en restauration|2.2|Employé polyvalent / Employée polyvalente de restauration;Equipier polyvalent / Equipière polyvalente de restauration rapide
G1605|Plonge en restauration|0.8|Plongeur / Plongeuse en restauration;Aide de cuisine plongeur
G1703|Réception en hôtellerie|0.6|Réceptionniste en hôtellerie;Night auditor
G1801|Café, bar brasserie|0.9|Barman / Barmaid;Serveur / Serveuse de bar-brasserie
G1803|Service en restauration|2.4|Serveur / Serveuse en restauration;Chef de rang;Commis / Commise de salle
H1203|Conception et dessin produits mécaniques|0.5|Dessinateur projeteur / Dessinatrice projeteuse en mécanique;Ingénieur / Ingénieure en conception mécanique
H1206|Management et ingénierie études, recherche et développement industriel|0.6|Ingénieur / Ingénieure recherche et développement;Chef de projet R&D
H1404|Intervention technique en méthodes et industrialisation|0.5|Technicien / Technicienne méthodes;Agent / Agente des méthodes
H1502|Management et ingénierie qualité industrielle|0.6|Ingénieur / Ingénieure qualité;Responsable qualité
H2102|Conduite d'équipement de production alimentaire|0.9|Conducteur / Conductrice de ligne de production alimentaire;Opérateur / Opératrice de production agroalimentaire
H2909|Montage-assemblage mécanique|0.7|Monteur / Monteuse en mécanique;Ajusteur / Ajusteuse monteur
H2913|Soudage manuel|0.7|Soudeur / Soudeuse;Soudeur / Soudeuse TIG
H3302|Opérations manuelles d'assemblage, tri ou emballage|1.6|Agent / Agente de conditionnement;Opérateur / Opératrice de conditionnement;Emballeur / Emballeuse
I1304|Installation et maintenance d'équipements industriels et d'exploitation|1.6|Technicien / Technicienne de maintenance industrielle;Mécanicien / Mécanicienne de maintenance;Electromécanicien / Electromécanicienne
I1306|Installation et maintenance en froid, conditionnement d'air|0.6|Frigoriste;Technicien / Technicienne en climatisation
I1401|Maintenance informatique et bureautique|0.6|Technicien / Technicienne de maintenance informatique;Technicien / Technicienne support utilisateurs
I1604|Mécanique automobile et entretien de véhicules|1.3|Mécanicien / Mécanicienne automobile;Mécanicien / Mécanicienne poids lourds
I1606|Réparation de carrosserie|0.5|Carrossier / Carrossière;Carrossier-peintre / Carrossière-peintre
J1102|Médecin généraliste et spécialiste|0.6|Médecin généraliste;Médecin du travail;Psychiatre
J1201|Biologie médicale|0.2|Biologiste médical / médicale;Technicien / Technicienne de laboratoire médical
J1202|Pharmacie|0.4|Pharmacien / Pharmacienne;Préparateur / Préparatrice en pharmacie
J1301|Personnel polyvalent des services hospitaliers|1.0|Agent / Agente de service hospitalier;Agent / Agente de service hospitalier qualifié
J1304|Aide en puériculture|0.5|Auxiliaire de puériculture;Aide auxiliaire de puériculture
J1305|Conduite de véhicules sanitaires|0.4|Ambulancier / Ambulancière;Auxiliaire ambulancier / ambulancière
J1404|Kinésithérapie|0.4|Masseur-kinésithérapeute;Kinésithérapeute
J1501|Soins d'hygiène, de confort du patient|1.9|Aide-soignant / Aide-soignante;Aide-soignant / Aide-soignante de nuit
J1502|Coordination de services médicaux ou paramédicaux|0.4|Cadre de santé;Infirmier / Infirmière coordinateur
J1506|Soins infirmiers généralistes|1.7|Infirmier / Infirmière;Infirmier / Infirmière de bloc opératoire;Infirmier / Infirmière en EHPAD
K1201|Action sociale|0.5|Assistant / Assistante de service social;Conseiller / Conseillère en économie sociale familiale
K1207|Intervention socioéducative|0.9|Educateur spécialisé / Educatrice spécialisée;Moniteur-éducateur / Monitrice-éducatrice
K1302|Assistance auprès d'adultes|2.2|Auxiliaire de vie;Aide à domicile;Assistant / Assistante de vie aux familles
K1303|Assistance auprès d'enfants|1.0|Garde d'enfants à domicile;Assistant maternel / Assistante maternelle;Nounou
K1304|Services domestiques|0.8|Employé / Employée de ménage à domicile;Aide ménager / ménagère
K1707|Surveillance municipale|0.2|Policier municipal / Policière municipale;Agent / Agente de surveillance de la voie publique
K1801|Conseil en emploi et insertion socioprofessionnelle|0.4|Conseiller / Conseillère en insertion professionnelle;Chargé / Chargée d'accompagnement socioprofessionnel
K2107|Enseignement général du second degré|0.4|Professeur / Professeure de mathématiques;Professeur / Professeure d'anglais
K2111|Formation professionnelle|0.6|Formateur / Formatrice;Formateur / Formatrice en informatique
K2204|Nettoyage de locaux|2.4|Agent / Agente de propreté et d'hygiène;Agent / Agente d'entretien;Laveur / Laveuse de vitres
K2303|Nettoyage des espaces urbains|0.3|Agent / Agente de propreté urbaine;Balayeur / Balayeuse
K2402|Recherche en sciences de l'univers, de la matière et du vivant|0.3|Chercheur / Chercheuse en biologie;Biostatisticien / Biostatisticienne;Ingénieur / Ingénieure de recherche
K2503|Sécurité et surveillance privées|1.3|Agent / Agente de sécurité;Agent / Agente de sécurité incendie SSIAP;Maître-chien / Maîtresse-chien
L1101|Animation musicale et scénique|0.1|Disc-jockey;Animateur / Animatrice musical
L1203|Art dramatique|0.1|Comédien / Comédienne;Artiste dramatique
L1401|Sportif professionnel|0.1|Sportif / Sportive professionnel;Footballeur / Footballeuse professionnel
L1508|Prise de son et sonorisation|0.2|Technicien / Technicienne du son;Sonorisateur / Sonorisatrice
M1101|Achats|0.6|Acheteur / Acheteuse;Responsable des achats;Approvisionneur / Approvisionneuse
M1203|Comptabilité|1.4|Comptable;Aide-comptable;Comptable fournisseurs
M1205|Direction administrative et financière|0.5|Directeur administratif et financier / Directrice administrative et financière;Responsable administratif et financier
M1206|Management de groupe ou de service comptable|0.4|Chef comptable;Responsable comptable
M1302|Direction de petite ou moyenne entreprise|0.4|Directeur / Directrice de PME;Gérant / Gérante d'entreprise
M1402|Conseil en organisation et management d'entreprise|0.5|Consultant / Consultante en organisation;Consultant / Consultante en management
M1403|Études et prospectives socio-économiques|0.4|Chargé / Chargée d'études statistiques;Data analyst;Statisticien / Statisticienne
M1501|Assistanat en ressources humaines|0.6|Assistant / Assistante ressources humaines;Gestionnaire de paie
M1502|Développement des ressources humaines|0.5|Chargé / Chargée de recrutement;Chargé / Chargée de développement RH
M1503|Management des ressources humaines|0.4|Responsable des ressources humaines;Directeur / Directrice des ressources humaines
M1601|Accueil et renseignements|0.7|Hôte / Hôtesse d'accueil;Agent / Agente d'accueil
M1602|Opérations administratives|1.2|Agent / Agente administratif;Employé / Employée administratif
M1607|Secrétariat|1.0|Secrétaire;Secrétaire médical / médicale;Secrétaire administratif
M1705|Marketing|0.6|Chef de produit marketing;Chargé / Chargée de marketing;Responsable marketing digital
M1801|Administration de systèmes d'information|0.9|Administrateur / Administratrice systèmes et réseaux;Administrateur / Administratrice de base de données;Ingénieur / Ingénieure DevOps
M1802|Expertise et support en systèmes d'information|0.8|Expert / Experte en cybersécurité;Architecte cloud;Technicien / Technicienne support informatique
M1805|Études et développement informatique|2.0|Développeur / Développeuse informatique;Développeur / Développeuse web;Ingénieur / Ingénieure d'études informatique;Data engineer
M1806|Conseil et maîtrise d'ouvrage en systèmes d'information|0.7|Chef de projet informatique;Business analyst;Product owner
M1810|Production et exploitation de systèmes d'information|0.5|Technicien / Technicienne d'exploitation informatique;Pilote d'exploitation informatique
N1101|Conduite d'engins de déplacement des charges|1.2|Cariste;Conducteur / Conductrice de chariot élévateur
N1103|Magasinage et préparation de commandes|3.0|Préparateur / Préparatrice de commandes;Magasinier / Magasinière;Agent / Agente logistique
N1105|Manutention manuelle de charges|1.5|Manutentionnaire;Déménageur / Déménageuse
N1201|Affrètement transport|0.3|Affréteur / Affréteuse;Exploitant / Exploitante transport
N1303|Intervention technique d'exploitation logistique|0.7|Agent / Agente d'exploitation logistique;Gestionnaire de stocks
N4101|Conduite de transport de marchandises sur longue distance|1.4|Chauffeur / Chauffeuse poids lourd;Conducteur / Conductrice super lourd
N4102|Conduite de transport de particuliers|0.4|Chauffeur / Chauffeuse VTC;Chauffeur / Chauffeuse de taxi
N4103|Conduite de transport en commun sur route|0.9|Conducteur / Conductrice de bus;Conducteur / Conductrice d'autocar
N4105|Conduite et livraison par tournées sur courte distance|1.4|Chauffeur-livreur / Chauffeuse-livreuse;Livreur / Livreuse
"""


def parse_metiers() -> tuple[tuple[str, str, float, tuple[str, ...]], ...]:
    rows = []
    for line in _METIERS.splitlines():
        code, libelle, weight, appellations = line.split("|")
        rows.append((code, libelle, float(weight), tuple(a.strip() for a in appellations.split(";"))))
    return tuple(rows)


METIERS = parse_metiers()
