"""Pin every signal in config/rules.yaml with positive and negative examples (our own sentences)."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage.classify import classify, load_rules

CONFIG = Path(__file__).resolve().parents[2] / "config"

# signal -> (texts that must fire it, texts that must not)
EXAMPLES: dict[str, tuple[list[str], list[str]]] = {
    "scam_messenger": (
        [
            "Add me on Telegram",
            "ping me at t.me/jobs_hr",
            "my whats app is below",
            "write on w h a t s a p p",
            "msg me on t3legram",
        ],
        ["I use Zoom for calls", "the signal was weak", "contact me on Upwork messages"],
    ),
    "move_chat_off_platform": (
        [
            "He asked me to continue on WhatsApp",
            "can we discuss on another app?",
            "he asked for my personal email",
            "let's move the conversation to Signal",
            "Quiere seguir la conversación por Telegram",
            "Il veut continuer la discussion sur WhatsApp",
        ],
        [
            "He asked for my Skype ID for the video interview",
            "I emailed support about my withdrawal",
            "my phone app crashed",
        ],
    ),
    "personal_data_request": (
        [
            "They asked for my SSN and date of birth",
            "the recruiter wants a copy of my passport",
            "me pidió mis datos bancarios",
            "demande mon RIB avant la mission",
        ],
        [
            "Upwork asked me to verify my identity with my passport",
            "The platform needs my SSN for the W-9 tax form",
            "I added my bank account details for withdrawal",
        ],
    ),
    "upfront_fee": (
        [
            "I must pay a $150 training fee first",
            "they want a registration fee of $40",
            "pay $50 to release my payment",
            "pediram uma taxa de cadastro",
            "a security deposit is required",
        ],
        [
            "Why is the service fee 20%?",
            "there is no registration fee",
            "do we need to pay the conversion fee?",
        ],
    ),
    "equipment_purchase": (
        [
            "buy a laptop from their approved vendor",
            "the equipment will be reimbursed later",
            "purchase software from the supplier they recommend",
        ],
        ["my laptop broke so I'm late", "the vendor for my website is slow"],
    ),
    "check_payment": (
        [
            "he will send a cashier's check",
            "payment will come as a check",
            "the cheque bounced",
            "he sent a bank draft",
            "pay by money order",
        ],
        ["please check my account", "can you do a check on this user?", "I will check the order"],
    ),
    "overpayment": (
        [
            "he overpaid and wants the difference back",
            "send back the difference by wire",
            "il m'a viré par erreur, renvoyer la différence",
            "keep your fee and send the rest",
        ],
        ["what is the difference between hourly and fixed?", "I sent the files back to him"],
    ),
    "crypto_request": (
        ["buy $500 of Bitcoin and send it to his wallet", "send USDT to this wallet address"],
        ["I read an article about crypto taxes"],
    ),
    "task_scam": (
        [
            "like YouTube videos and send a screenshot for a commission",
            "join our Telegram group for tasks",
            "prepaid tasks",
            "dar like a videos",
        ],
        ["I like this platform", "my task list is long"],
    ),
    "too_good_pay": (
        [
            "the pay seems crazy for data entry",
            "$75/hr for simple proofreading",
            "too good to be true",
            "pagando muito acima do normal",
        ],
        ["my rate is $30/hr", "the pay is fair"],
    ),
    "writer_suspects_scam": (
        ["Is this a scam?", "feels like a red flag", "é golpe?"],
        ["thanks for your help"],
    ),
    "counterparty_vanished": (
        ["then he vanished", "the client disappeared", "ele sumiu"],
        ["he replied fast"],
    ),
    "free_work": (
        [
            "he wants a free sample article",
            "a trial piece before he awards",
            "he will fund the milestone later",
            "meanwhile he wants 5 more articles",
        ],
        ["the milestone was funded", "I sent a sample from my portfolio"],
    ),
    "impersonation": (
        [
            "she claimed to be from HR at Google",
            "a fake Gmail address",
            "posing as Upwork support",
            "the escrow company outside upwork",
        ],
        ["the client is a real company", "my Gmail works fine"],
    ),
    "suspicious_link": (
        [
            "he sent a bit.ly link",
            "a OneDrive link for the interview",
            "Upwork warns I'm about to leave the site",
        ],
        ["the link to my portfolio"],
    ),
    "chat_only_interview": (
        [
            "the interview was over Telegram",
            "text-only interview",
            "they refused a video call",
            "hired the same day without interview",
        ],
        ["we had a video interview on Zoom"],
    ),
    "unverified_client": (
        ["payment method unverified", "the client has no history", "brand new account"],
        ["payment verified, 50 hires"],
    ),
    "pre_contract": (
        ["before any contract", "no contract yet", "avant tout contrat"],
        ["the contract ended"],
    ),
    "account_rental": (
        [
            "they want to rent my Upwork account",
            "lend them my account for a monthly fee",
            "tentou me convencer a compartilhar minha conta",
        ],
        [
            "I want to share my account with my assistant",
            "can my brother use my account?",
            "update my account settings",
        ],
    ),
    "personal_payment_task": (
        ["top up his phone balance", "buy gift cards for him", "he will pay me back when we meet"],
        ["I bought a new phone"],
    ),
    "unsolicited_contact": (
        ["he found my profile on this site", "out of the blue", "I didn't apply to this job"],
        ["I applied last week"],
    ),
    "fee_avoidance_motive": (
        ["to avoid the fees", "the site fee is too much", "para ahorrar la comisión"],
        ["what are the fees?"],
    ),
    "established_relationship": (
        ["we have worked together for 3 years", "my existing client", "closed the contract with 5 stars"],
        ["a new client messaged me"],
    ),
    "platform_support_topic": (
        ["my withdrawal is pending", "connects refund", "my account was suspended", "W-8BEN form"],
        ["he asked for my telegram"],
    ),
    "platform_id_verification": (
        ["identity verification failed", "Fiverr asked me to verify my ID"],
        ["they asked for my ID"],
    ),
    "pay_outside_platform": (
        [
            "he wants to pay me outside Upwork",
            "pay me directly by PayPal",
            "let's just use PayPal next time",
            "quiere pagarme fuera de la plataforma",
            "payer hors plateforme",
            "o cliente quer pagar por fora",
            "hire her full-time on our own payroll",
            "he offered to pay me via Cresonpay",
        ],
        ["I withdrew my earnings to PayPal", "the link was outside Upwork", "I live outside the US"],
    ),
    "payment_details_request": (
        ["he asked for my PayPal email to refund me", "send me your Venmo handle"],
        ["I changed my PayPal email in settings"],
    ),
    "money_sent": (
        [
            "I sent $500 via Zelle",
            "I already paid him 300 EUR",
            "so I sent the wire",
            "paguei a taxa",
            "I paid in crypto",
            "nagbayad ako",
        ],
        [
            "I did not pay anything",
            "If I pay the fee, will I get the job?",
            "I paid $20 for connects",
            "He wrote 'I sent $1,500 to your PayPal by mistake, please return it'",  # his words, quoted
            "He asked me to pay $50",
            "J'ai envoyé mon devis",
        ],
    ),
    "writer_took_offplatform": (
        [
            "he paid me by PayPal outside",
            "I've invoiced him directly since 2019",
            "aceitei para fugir das taxas",
        ],
        ["I did not accept payment outside"],
    ),
    "money_loss": (
        ["I'm out $2,400", "I lost all my savings", "the money is gone", "8 lakh rupay chale gaye"],
        ["I'm out of ideas", "I lost my password"],
    ),
    "unpaid_work": (
        ["he never paid me", "disappeared with my unpaid work", "I did the work and got nothing"],
        ["he paid on time"],
    ),
    "personal_data_given": (
        ["I sent them a copy of my passport", "I gave him my bank account number"],
        ["I did not give them my SSN", "I gave name and country only"],
    ),
    "account_access_given": (
        ["I gave him my password", "I shared the 2FA code", "I installed AnyDesk on my laptop"],
        ["I never shared my password", "I changed my password"],
    ),
}


# Behaviours added when generalising beyond the dev set (each with its near-miss negatives).
_MORE: dict[str, tuple[list[str], list[str]]] = {
    "payment_via_rail": (
        [
            "the buyer tipped me 40 bucks on venmo",
            "he wants to pay the last milestone by PayPal Friends & Family",
            "Il cliente mi ha pagato con bonifico diretto",
            "me pagó por transferencia bancaria",
            "he said he'd just Zelle me the extra hours",
            "200 USDT per month paid to your wallet",
        ],
        [
            "I withdrew my earnings to PayPal",
            "I chose the Wise transfer method and it is pending",
            "they asked me to pay the fee via Skrill",
            "docs for a USDT payment gateway",
        ],
    ),
    "suspicious_counterparty": (
        [
            "I got a job offer from a client who seems suspicious",
            "pretty sure it's bait",
            "Me parece una estafa",
            "this recruiter looks fake",
        ],
        ["I read about fake recruiters on reddit", "is this refund normal?"],
    ),
    "upfront_fee": (
        [
            "they said I need to buy their training course for $150",
            "credentials from their partner site, costs $89",
            "preciso pagar R$ 300 por um treinamento",
            "je dois obtenir leur certification qui coûte 60 €",
        ],
        ["do I have to pay the arbitration fee?", "people being asked to pay for training, is that real?"],
    ),
    "move_chat_off_platform": (
        ["me pidió que le escriba por Telegram", "dont reply here, text me", "add me on sk ype for details"],
        ["I need to change my login email to my gmail", "build a Telegram bot for our shop"],
    ),
    "money_sent": (
        ["I paid.", "Li ho pagati con ricarica PostePay", "I sent 0.05 BTC"],
        [
            "I bought 40 connects for $6",
            "enviei meus documentos para verificação",
            "el cliente quiere que le pague por pix",
        ],
    ),
    "unpaid_work": (
        ["I did the whole job for free", "today I saw my logo on his company's Instagram"],
        ["Nothing has been paid outside yet", "I told them I won't pay for a job"],
    ),
    "pay_outside_platform": (
        ["he paid it there instead of via the contract", "I've been doing work directly for an old client"],
        ["If someday he asks to pay me outside the platform, what do I say?", "I've never taken payment outside"],
    ),
    "personal_data_request": (
        ["he asked me to send a photo of my ID and a selfie"],
        ["Do I need to upload a bank statement for my withdrawal?", "I want to withdraw to my bank account"],
    ),
    "scam_messenger": (["contact me on whatsapp"], ["we need a WhatsApp Business API integration"]),
    "crypto_request": (["send 100 USDT to activate"], ["I built a crypto wallet UI for a client"]),
}
# Behaviours described more completely (unusual messengers, money that left without "I paid", compliance
# with a payment request, non-English forms); each with texts that must stay quiet.
_BEHAVIOURS: dict[str, tuple[list[str], list[str]]] = {
    "scam_messenger": (
        [
            "the interview is on Wire (an encrypted messenger)",
            "contact me on Threema",
            "my Line ID is jobs_hr",
            "contact wa dot me slash 1555",
            "teleg @easyjobs_mgr",
            "we will chat on the Session app",
        ],
        ["I paid by wire transfer", "he sent it via wire yesterday", "the session was long", "line 3 of the invoice"],
    ),
    "move_chat_off_platform": (
        [
            "our company does not use Upwork messages",
            "he wants to talk on an app I'd never heard of",
            "lalu dia minta pindah ke WhatsApp",
            "phir ek banda telegram pe le gaya",
        ],
        ["I don't use the mobile app much", "I never heard back from support"],
    ),
    "money_sent": (
        [
            "we paid her directly by bank transfer (€1,100)",
            "I sent it from Binance",
            "Paid my freelancer $250 on PayPal",
            "I refunded $200 to my client via PayPal",
            "Maine 2,000 bhej diye UPI se",
            "Sudah saya transfer kemarin",
            "i sent 3 apple gift cards to upwork support on whatsapp",
            "Transferred the deposit via Wise yesterday",
        ],
        [
            "Maine kuch nahi bheja",
            "Ich habe nichts geschickt",
            "we paid $500 into escrow",
            "I sent the files to the client on Upwork",
        ],
    ),
    "complied_payment_request": (
        [
            "she asked if I could send $250 via PayPal for them. I did, nothing bad happened",
            "he told me to pay the fee by Zelle, which I did.",
            "pay 75 bucks on venmo and i did",
        ],
        [
            "he asked for 3 revisions which I did",
            "reverse the payment if it went through. I did not authorize this",
            "The client paid in January and now my balance is -$320. I did the work",
        ],
    ),
    "money_loss": (
        ["he still has my 150 euros", "my card was charged $89 for the starter kit", "never saw my money again"],
        ["my card was charged for connects", "he has my files", "I never saw the message again"],
    ),
    "writer_suspects_scam": (["sounds off? I haven't accepted"], ["the light is off"]),
    "suspicious_counterparty": (
        ["he said his Upwork account got locked so I should send the payment via Wise"],
        ["my account was locked yesterday, please help"],
    ),
    "counterparty_vanished": (
        ['his account says "no longer available"', "then he stopped answering"],
        ["this option is no longer available in settings"],
    ),
    "impersonation": (
        [
            "my Top Rated badge will be removed unless I confirm my login",
            "Restore access: upw0rk-restore.example.com",
            "an Instagram account 'upwork.support.team' wrote to me",
            "got a text: 'Upwork: your account is limited due to unusual activity, restore access'",
        ],
        [
            "I want to make sure it's not phishing",
            "I've read about fake emails before",
            "I logged in at www.upwork.com as usual",
        ],
    ),
    "personal_data_request": (
        ["he asked for my paypal email AND password", "wants me to confirm my login email + password"],
        ["Just want to make sure this is you before I show my passport", "I want to change my password"],
    ),
    "too_good_pay": (
        ["Easy job $30/h", "job pays $60/h for 'email handling'", "angeblich 45 $/Stunde für Dateneingabe", "seems too much"],
        ["my rate is $60/h for React work", "he paid too much by mistake"],
    ),
    "upfront_fee": (
        [
            "me pidieron 50 dólares por PayPal para enviarme el kit de materiales",
            "saya disuruh bayar biaya pendaftaran Rp 350.000",
            "account activation ke liye Rs 2,000 bhejna padega",
            "dem say make I pay for registration",
        ],
        ["Is there any paid training I need?", "he asked for $500 for the logo"],
    ),
    "overpayment": (
        ["he'll send $1,400 and I need to forward $1,000 to his 'supplier'"],
        ["he'd just Zelle me the extra 6 hours at my rate", "can you pay extra hours through the contract?"],
    ),
    "pre_contract": (
        [
            "before we even started the contract he said lets do it through paypal",
            "send 2 logo concepts before he'd make an offer",
            "Never got a contract",
        ],
        ["before we started I read the contract terms"],
    ),
    "unpaid_work": (["Never paid, obviously.", "never saw a cent", "today I see MY copy live on his website"], ["I never paid for Plus"]),
    "work_taken": (
        ["I delivered everything on Friday and he ghosted me", "I made 15 posts. On day 4 he removed me from Slack"],
        ["he ghosted me before I started", "if I deliver and he vanishes, what then?"],
    ),
    "free_work": (["Did a free 'test' on Google Docs"], ["can I add a milestone later if we add a feature?"]),
    "payment_via_rail": (["he needs 50% upfront in BTC to his wallet"], ['"To start, deposit 100 USDT to activate"']),
    "pay_outside_platform": (
        ["would like to pay our long-term freelancer directly by bank wire"],
        ["we pay our freelancers through the platform"],
    ),
    # subject-only signal: its examples are classified as subjects (see test_signal_examples)
    "subject_doubt": (
        ["Is this a scam?", "legit?", "Red flags? Client wants my number", "Recruiter on Signal - scam or legit"],
        ["How to report a scam?", "Is it a scam if a client pays outside?", "Withdrawal pending for 5 days"],
    ),
    "platform_support_topic": (["order FO3321AB", "through the Resolution Center"], ["I placed an order for a laptop"]),
    "on_platform_contract": (
        [
            "Contract already running, milestone funded, 5-star client",
            "I opened a dispute on contract #77031",
            "Payments stay here. Is a call OK?",
            "Offer will be sent here afterwards",
        ],
        ["he asked me to pay before the contract", "I gave him 5 minutes"],
    ),
    "platform_own_channel": (
        ["It's inside my account settings page", "an email from your no-reply address", "Links point to your domain"],
        ["the link pointed to upw0rk-login.example.com", "I changed my settings yesterday"],
    ),
    "task_scam": (
        ["my account was in negative so I recharged 150 USDT", "To unlock commission tasks", "I topped up 80 USDT"],
        ["after the chargeback my balance is negative", "I topped up my phone"],
    ),
    "equipment_purchase": (["I bought the $489 software bundle from the partner store"], ["I bought a laptop last year"]),
    "account_rental": (
        ["A guy in a Facebook group sells 'top rated plus' status", "create a new profile here with his photo and name"],
        ["I sell logo designs on my profile"],
    ),
    "suspicious_link": (["asked me to download an .exe to watch"], ["download the brief from the order page"]),
    "unverified_client": (["Ses avis datent tous du même jour"], ["reviews from last year"]),
    "personal_payment_task": (
        ["test their payment gateway by making purchases with my own card"],
        ["I made purchases with the company card"],
    ),
}
for _name, (_pos, _neg) in _BEHAVIOURS.items():
    _p, _n = EXAMPLES.setdefault(_name, ([], []))
    _p.extend(_pos)
    _n.extend(_neg)


def _add_examples(families: list[tuple[str, tuple[list[str], list[str]]]]) -> None:
    """Add (signal, (positives, negatives)) families to EXAMPLES, extending a signal's existing lists."""
    for name, (pos, neg) in families:
        p, n = EXAMPLES.setdefault(name, ([], []))
        p.extend(pos)
        n.extend(neg)

# A list, not a dict: one signal may appear several times (a dict literal would silently keep only the last).
_MORE_BEHAVIOURS: list[tuple[str, tuple[list[str], list[str]]]] = [
    ("money_loss", (["My card was charged $1,240 last week", "I'm -$1,900 now"], ["my card was charged twice? no"])),
    ("money_sent", (
        [
            "Deposited the check, sent $1,900 via Zelle to the vendor",
            "Paid it.",
            "I sent a 30% deposit to a freelancer's PayPal",
            "We used Wise to pay our translator",
        ],
        ["We used Wise for withdrawals", "Paid it? No."],
    )),
    ("pay_outside_platform", (
        [
            "he transferred half of the retainer to my bank directly",
            "we'll stop using the contract here",
            "minta bayarannya lewat transfer bank langsung",
            "says pay will be 'much higher outside'",
            "he'll send the payment 'through a friend'",
            "wants to pay me via WeChat Pay",
        ],
        ["I stopped using the mobile app", "the rate is fine for me"],
    )),
    ("payment_via_rail", (["he said he'd send Western Union"], ["I read about Western Union on the news"])),
    ("counterparty_vanished", (
        ["Profile deleted today", "now he's not responding", "He left me on read", "the job post was removed"],
        ["I deleted the old file", "he is responding slowly"],
    )),
    ("impersonation", (["Someone called 'Support Team' DM'd me"], ["someone called me about my car"])),
    ("suspicious_counterparty", (
        ["three new accounts contacted me with the exact same wording about a job"],
        ["he sent the brief again"],
    )),
    ("overpayment", (["I just receive and forward the money"], ["I receive and read the brief"])),
    ("upfront_fee", (
        ["HR said I had to show 'proof of funds' by sending 0.01 BTC", "they want more taxes before the salary", "J'ai réglé 95 € de frais de dossier"],
        ["I need proof of address for the bank? no: the platform asks", "taxes are due in April"],
    )),
    ("money_sent", (
        ["J'ai réglé 95 € par virement au recruteur"],
        ["o cliente quer que eu pague uma taxa de R$ 90", "Ya le pagué la primera parte por la plataforma."],
    )),
    ("money_loss", ([], ["My card was charged $19.99 by you this month"])),
    ("complied_payment_request", (
        ["sending 0.01 BTC that would be returned. Did it.", "go to his personal Wise. I (client) did it, 180 USD."],
        ["sending the files today. Did it compile?"],
    )),
    ("move_chat_off_platform", (["the last part would be done over email"], ["the work was done on time"])),
    ("account_rental", (["create a new email and a new profile here with his photo and name"], [])),
    ("impersonation", (["messages freelancers claiming he's from your hiring team"], ["he claims he's from Berlin"])),
    ("money_sent", (["sent the gift card codes like the 'manager' asked"], ["sent the files and the codes for the app"])),
    ("personal_payment_task", (["he wanted the gift card codes"], ["I entered a discount code"])),
    ("pay_outside_platform", (["asked me to finish the last milestone outside via PayPal"], ["finish the last milestone on time"])),
    ("work_taken", (["Delivered everything, he ghosted."], ["He ghosted before I delivered anything."])),
    ("upfront_fee", ([], ["What is your policy if a client asks me to pay for training before hiring?"])),
    ("money_loss", (
        [
            "They took $450 from me for the onboarding",
            "I have been scammed of 150$",
            "He took my money and ran",
            "Me robaron 200 dólares",
            "my 500 USDT is stuck and they want a tax",
        ],
        ["My $500 is stuck in pending clearance", "he took my advice"],
    )),
    ("money_sent", (
        [
            "I've already given them 2 payments of $100",
            "I ended up paying the $80 activation fee",
            "I was tricked into paying $80 for a certificate",
            "already paid 2 installments of the fee via GCash",
            "I bought the iTunes cards and gave him the numbers",
            "I did the transfer, 1,200 total",
            "Caí no golpe e paguei 300 reais pelo Pix",
        ],
        [
            "I ended up paying the service fee twice",
            "I did the transfer to my bank from my balance",
            "No pagué nada",
        ],
    )),
    ("upfront_fee", (
        ["The recruiter said I needed a work permit fee", "they want a 20% tax to release it"],
        ["the client said he needed a refund", "I said the service fee is high"],
    )),
    ("unpaid_work", (["It's been 3 weeks and nothing"], ["It's been 3 weeks and the order is fine"])),
    ("work_taken", (["after I delivered, he doesn't reply"], ["I delivered and he replied with thanks"])),
    ("overpayment", (
        ["receive payments from her customers into my PayPal and send them on to her"],
        ["I receive payments into my bank account through the platform's withdrawal"],
    )),
    ("account_rental", (
        ["log in to his account from my computer and bid on jobs for him", "He asked for my Upwork login"],
        ["I can't log in to my account", "he asked for my login page screenshot? no, for the login page link"],
    )),
    ("task_scam", (["They want me to write fake reviews for their products"], ["I write product reviews for a blog contract"])),
    ("upfront_fee", (["register on his own website and deposit $50 to see the tasks"], ["deposit the milestone to start"])),
    ("move_chat_off_platform", (
        ["send my resume to his personal Gmail", "download an app called TaskPro to receive my assignments"],
        ["send the files to the client here", "download the brief to see the tasks"],
    )),
    ("too_good_pay", (["Client offered $800 for a 10-minute logo task"], ["I charge $80 for a 2-hour session"])),
    ("writer_suspects_scam", (["Seems weird."], ["the weird font he wants"])),
    ("unverified_client", (
        ["a company I can't find anywhere online", "the website was created last week"],
        ["I can't find the settings page", "the website was created by me"],
    )),
    ("policy_question", (
        ["What is your policy on moving chats?", "just asking for future reference", "hypothetically, could he"],
        ["the client's policy document", "I paid for the future milestone"],
    )),
]
_add_examples(_MORE_BEHAVIOURS)

# Behaviour families from the tune3 review (money owed after off-platform invoicing, short refusals, fees paid
# off-platform, ordinary support that looked like a scam). Our own sentences; several signals appear twice.
_OWED_AND_REFUSALS: list[tuple[str, tuple[list[str], list[str]]]] = [
    ('payment_owed', (
        [
            'He still owes me for the last three logos.',
            'The agency is 60 days late on two invoices.',
            'I have €2,100 outstanding since August.',
            'She closed the project without paying the final week.',
            "He said the second draft wasn't worth paying for.",
            'The client charged back the card payment after I shipped the code.',
            'PayPal sided with him and took the $300 back.',
            'He opened a claim with his bank and won.',
            'Mi cliente me debe dos meses de trabajo.',
            'A cliente parou de pagar em março.',
            'Le client ne me paie plus depuis juin.',
            'Il cliente mi deve ancora 900 euro.',
            'Der Kunde zahlt seit März nicht mehr.',
            'O PayPal devolveu o dinheiro para ela.',
        ],
        [
            'I owe him an apology for the delay.',
            "I don't think he owes me anything.",
            'Do I have to pay the invoice before Friday?',
            'The client paid both invoices on time.',
            'If the client charged back, what would happen?',
            'Mi cliente me debe confirmar la fecha.',
        ],
    )),
    ('payment_never_arrived', (
        [
            'The bonus he promised never came.',
            'He says he sent it yesterday but nothing has arrived.',
            'The second half never showed up.',
        ],
        [
            "It's not that nothing arrived, it came late.",
            'The files never arrived, he sent them again.',
            'Nothing changed on my profile.',
        ],
    )),
    ('clients_onto_platform', (
        [
            'I want to bring my long-time clients onto the platform.',
            'Can I start billing them through the site so I get protection?',
            'How do I invite my existing clients to Upwork?',
        ],
        [
            'Can I bring my clients from here to my own site?',
            'The client wants to move the chat to WhatsApp.',
            'I did not invite any clients to the platform.',
        ],
    )),
    ('move_chat_off_platform', (
        [
            'Er will gleich auf WhatsApp wechseln.',
            'His whole reply was https://t.me/hiring_desk_77',
            'Quiere hablar conmigo fuera de la plataforma.',
        ],
        [
            'Quiere pagarme fuera de la plataforma por transferencia.',
            'Ich habe Telegram nicht installiert.',
        ],
    )),
    ('personal_data_request', (
        [
            "Il recruiter mi chiede il codice fiscale e la carta d'identità.",
            'El cliente me pide una foto de mi pasaporte.',
        ],
        [
            'I want to be sure before I upload my passport to the verification page.',
            'A plataforma está pedindo uma selfie e o meu documento de identidade.',
            'I spent the morning reading the code of their app.',
        ],
    )),
    ('upfront_fee', (
        [
            "They asked for a 'confidentiality bond' of $300 before the first task.",
            'I paid $60 for the software licenses they said were needed.',
            'Tenía que enviarles 80 dólares para empezar.',
            'He can get you to Top Rated in a month for $150.',
            'Vor dem Start musste ich eine Schulung für 120 € bezahlen.',
            'Era un depósito reembolsable, según él.',
        ],
        [
            'I reached Top Rated last month.',
            'He asked me about bond yields for the article.',
            'Tengo que enviar el archivo mañana.',
        ],
    )),
    ('too_good_pay', (
        [
            'Sie zahlen 65 $/Std. für einfache Dateneingabe.',
            'Der Stundenlohn ist viel höher als üblich.',
        ],
        [
            'Mein Stundenlohn ist 40 €.',
        ],
    )),
    ('writer_suspects_scam', (
        [
            'Is this spam?',
            "$500 a day for typing? That can't be real.",
            'Ist das Betrug?',
        ],
        [
            "I don't think she's a scammer, just disorganised.",
            'Lessons learned (no scam, just bad luck).',
            "My invoices end up in the client's spam folder.",
        ],
    )),
    ('suspicious_counterparty', (
        [
            'A so-called recruiter from a big agency wrote to me.',
            'Una supuesta empresa me escribió por aquí.',
        ],
        [
            'The recruiter from the agency wrote to me.',
        ],
    )),
    ('counterparty_vanished', (
        [
            "I paid and now he's gone.",
            'Seitdem keine Antwort mehr.',
        ],
        [
            "He's gone on holiday but answers email.",
        ],
    )),
    ('free_work', (
        [
            'He wants 5 complete blog posts for free before choosing.',
            'Every applicant must send a free sample translation.',
            'Me pidió una prueba gratuita de diez páginas.',
            'Ils veulent un test gratuit de 2000 mots.',
        ],
        [
            'He asked for extra changes for free, on a funded contract.',
            'I offered the client a free consultation call.',
        ],
    )),
    ('impersonation', (
        [
            'I googled the support phone number and called it.',
            'Later I learned there is no phone support at all.',
        ],
        [
            'I searched the help center for the withdrawal article.',
        ],
    )),
    ('account_rental', (
        [
            "Quelqu'un veut louer mon compte pour 150 € par mois.",
            'Mi ha chiesto di usare il mio account.',
            'Er will mein Konto mieten.',
        ],
        [
            'Je veux fermer mon compte.',
            'I need to update my account settings.',
        ],
    )),
    ('unverified_client', (
        [
            'Un cliente senza recensioni mi ha scritto.',
            'Ein Kunde ohne Bewertungen.',
        ],
        [
            'Un cliente con molte recensioni.',
        ],
    )),
    ('task_scam', (
        [
            'They offered a product boosting job with daily commissions.',
            'You boost products in their app and earn per order.',
        ],
        [
            'I boosted my own gig with promoted listings.',
        ],
    )),
    ('established_relationship', (
        [
            'I worked with a designer on here for 9 months.',
            'Trabajo con este cliente desde hace dos años.',
            'Mein Stammkunde hat bisher immer bezahlt.',
            'Un client de longue date.',
        ],
        [
            'I joined the site two years ago.',
            'A new client wrote to me yesterday.',
        ],
    )),
    ('on_platform_contract', (
        [
            'Everything is billed through the contract.',
            'Now that we have a contract, can I share my number?',
            'Le contrat est actif depuis hier, contrat actif.',
            'The client funded the same milestone twice.',
        ],
        [
            'Before the contract started he asked for my number.',
        ],
    )),
    ('platform_id_verification', (
        [
            'The site asks me to verify my identity in settings.',
            'Verificação de identidade na área da conta.',
        ],
        [
            "A client asked me to 'verify my identity' on their HR portal.",
            "'Verify your identity' link from a recruiter.",
        ],
    )),
    ('pay_outside_platform', (
        [
            "Il m'a demandé une facture directe par virement.",
            'Le facturo directamente cada mes.',
            'Ich stelle ihm direkt Rechnungen.',
            'We pay weekly, no need to use this site.',
            'He wants to rehire me directly next month.',
            'Can clients I met here book me on my own website?',
        ],
        [
            "I'm afraid of being penalized for circumvention.",
            'Is working in their GitHub repo outside the platform fine?',
            'Est-ce que je peux faire des visios en dehors de la messagerie ?',
            'The client invoices are on the platform.',
        ],
    )),
    ('payment_via_rail', (
        [
            'It was $75 via Cash App.',
            'The fee went by Apple Pay to a private person.',
            'An email from Zelle said he sent me $2,000.',
            "He'll be paid by SEPA transfer from next month.",
            "Next time he'll send it by 'p p'.",
        ],
        [
            'Paying for an order using PayPal at checkout fails.',
            'I withdrew $120 via PayPal.',
            'Please send 10 pp by Friday.',
        ],
    )),
    ('payment_details_request', (
        [
            "The client asked 'do you have Venmo?' in the chat.",
        ],
        [
            'I asked support if I can use Payoneer for withdrawals.',
        ],
    )),
    ('money_sent', (
        [
            'I paid it on Monday.',
            'I paid, then he asked for more.',
            'I recharged.',
            'Paid $640 for ten articles.',
        ],
        [
            'If I paid, would I get the job?',
            'I never paid, the offer looked fake.',
        ],
    )),
    ('complied_payment_request', (
        [
            'He told me to pay a $60 unlock fee and stayed on the call while I did it.',
        ],
        [
            'He asked me to pay a $60 fee while I did the test, I said no.',
        ],
    )),
    ('writer_took_offplatform', (
        [
            'The client paid me via Wise last month.',
        ],
        [
            'He never paid me anything outside the contract.',
        ],
    )),
    ('money_loss', (
        [
            "I'm down the $300.",
            'The laptop never shipped.',
            'There were 2 charges of $180 on my card.',
        ],
        [
            'The laptop I ordered from Amazon shipped today.',
        ],
    )),
    ('unpaid_work', (
        [
            'Found my articles published on his blog.',
            'I saw my logo concepts live on their store.',
        ],
        [
            'I read posts about people working for weeks for nothing.',
            'He never paid me anything outside, we stay on the contract.',
        ],
    )),
    ('work_taken', (
        [
            "I delivered the files and he's not answering.",
        ],
        [
            "I delivered the files and he's answering quickly.",
        ],
    )),
    ('personal_data_given', (
        [
            'I put in my debit card number on his page.',
        ],
        [
            'I put in the order details.',
        ],
    )),
    ('pre_contract', (
        [
            'He offered more if we skip the contract.',
        ],
        [
            'We signed the contract yesterday.',
        ],
    )),
    ('overpayment', (
        [
            'Forward the rest to his supplier.',
            'He sent too much and wants me to send back the difference.',
        ],
        [
            'He paid the rest in cash on the day.',
            'I want to refund the extra $50 through the site.',
        ],
    )),
    ('platform_support_topic', (
        [
            'My account is on hold.',
        ],
        [
            'I hold a degree in design.',
        ],
    )),
    ('payment_via_rail', (
        [
            'She paid me through her own Wise account.',
        ],
        [
            'I bought 80 connects for $12 via PayPal.',
        ],
    )),
    ('pay_outside_platform', (
        [
            'We invoice them with our own Payoneer link now.',
        ],
        [
            'Can I invoice my client through the platform for extra hours?',
        ],
    )),
    ('money_sent', (
        [
            'They made me buy a $200 license first.',
            'I topped up and the task list unlocked.',
        ],
        [
            "Sent $300 to my bank account yesterday and it hasn't arrived.",
            'If I topped up and lost it, who pays?',
        ],
    )),
    ('money_loss', (
        [
            'I entered the card number and was charged $320.',
        ],
        [
            'I was charged a fee for the withdrawal.',
        ],
    )),
    ('counterparty_vanished', (
        [
            'I delivered the files. Then silence.',
        ],
        [
            'Silence is golden, he said in the brief.',
        ],
    )),
    ('upfront_fee', (
        [
            'Pay $40 for the Rising Talent badge, he said.',
        ],
        [
            'I earned $10,000 last year and became Top Rated.',
            'It took me a year to get to Top Rated.',
        ],
    )),
    ('free_work', (
        [],
        [
            'Quiero probar la prueba gratuita de Freelancer Plus.',
            "J'ai activé l'essai gratuit de l'abonnement.",
        ],
    )),
    ('account_rental', (
        [],
        [
            "Je n'arrive pas à utiliser mon compte depuis hier.",
            'Non riesco a usare il mio account.',
        ],
    )),
    ('absurd_pay', (
        [
            'We offer $150 per hour for simple data entry from home.',
            'No experience needed, €400 per day.',
        ],
        [
            'Senior React developer, $120/hour, 5 years of experience required.',
            'Easy job, $15 per hour.',
        ],
    )),
    ('payment_owed', (
        [
            'Two of my payment requests are still unpaid.',
            'He just ignores my invoices now.',
            'He filed a PayPal claim after delivery.',
            'Tiene tres facturas vencidas.',
        ],
        [
            'My invoices are paid on time.',
            'He filed a claim with his insurer after the storm.',
        ],
    )),
    ('personal_data_request', (
        [
            'Der Kunde will vorab meinen Personalausweis und meine IBAN.',
        ],
        [
            'Ich will meine IBAN in den Einstellungen ändern.',
        ],
    )),
    ('on_platform_contract', (
        [
            'How do I refund him through the platform?',
        ],
        [
            'He wants a refund via PayPal.',
        ],
    )),
    ('payment_via_rail', (
        [],
        [
            'My PayPal payment to fund the milestone was declined.',
        ],
    )),
    ('pay_outside_platform', (
        [],
        [
            'Is a link to my portfolio site considered circumvention?',
        ],
    )),
    ('crypto_request', (['I sent 0.5 BTC to the address he gave me.'], ['I sent the invoice for the crypto dashboard design.'])),
    ('counterparty_vanished', (['I paid the deposit and never heard back.'], ['I never heard back about my application, which is normal.'])),
    ('pay_outside_platform', (['He suggested direct bank transfers from now on.'], ['I set up direct deposit for my platform withdrawals? No, for my salary job.'])),
    ('money_sent', (['Paid the $85 registration fee through Western Union.'], ['Paid the $15 membership fee on the platform.'])),
]
_add_examples(_OWED_AND_REFUSALS)
for _name, (_pos, _neg) in _MORE.items():
    _p, _n = EXAMPLES.setdefault(_name, ([], []))
    _p.extend(_pos)
    _n.extend(_neg)

# Behaviour families from the check4 review (phishing dressed as the platform, device/account access, free work
# from every applicant, unfunded milestones, cloned profiles, mules and refund tricks, unusual rails, EOR hiring)
# and the hard negatives next to them. Our own sentences.
_CHECK4_FAMILIES: list[tuple[str, tuple[list[str], list[str]]]] = [
    ('verify_threat', (
        [
            'Your earnings were frozen; confirm your bank details to avoid closure.',
            'Validate your account within 12 hours or it will be deactivated.',
            'Tu pago está retenido, debes verificar tu método de retiro.',
            'Confirme seus dados do cartão para liberar o pagamento.',
            'He sent me a link to claim the payment waiting for me.',
        ],
        [
            'My withdrawal is pending. Support said I have to finish the ID check.',
            'How do I update my payment method?',
            'I confirmed the milestone and the money arrived.',
        ],
    )),
    ('phishing_tell', (
        [
            "I didn't click the link.",
            'The link went to payout-secure-check.example instead.',
            "A user named 'Billing Department' wrote to me.",
            "Je n'ai pas cliqué.",
            'It came from a short number.',
        ],
        ['I clicked Submit and nothing happened.', 'my portfolio is at jane-design.example', 'The app did not open.'],
    )),
    ('profile_cloned', (
        [
            'Someone copied my entire profile and my portfolio.',
            'There is an account using my headshot and my bio.',
            'Alguien copió mi perfil con mis fotos.',
        ],
        ['I copied my bio from LinkedIn, is that OK?', 'How do I change my profile photo?'],
    )),
    ('device_access_request', (
        [
            'He wants me to install three APKs and log in with the credentials he sends.',
            'They offered $250 a month to keep TeamViewer on my laptop.',
            'They need to work from a US IP through my connection.',
            'The seller said he needs to sign in to my account to add the credits.',
        ],
        [
            'The client asked me to build an APK for his shop.',
            'I need to log in to my account but 2FA fails.',
            'Support offered a remote session to fix the app.',
        ],
    )),
    ('admin_access_request', (
        [
            'The applicant asked me to make him admin of my ad account.',
            'He insisted on full admin rights on my Shopify store.',
        ],
        ['I added the freelancer as an advertiser after hiring.', 'I asked the client to make me admin of the page.'],
    )),
    ('card_details_request', (
        [
            'He told me to send him my credit card number so his team can bill me.',
            'They want to set up billing on their side.',
        ],
        ['My card was declined.', 'Upwork asks me to give them my card details for the membership.'],
    )),
    ('repeat_victims', (
        [
            'Two other designers told me the same client did this to them.',
            'He is looking for new victims.',
            'Otros tres freelancers me dijeron que les pasó lo mismo.',
        ],
        ['Many people have the same question about fees.', 'Other freelancers use the same template.', 'Several other sellers had the same thing with withdrawals.'],
    )),
    ('false_nonreceipt_claim', (
        ['He filed a claim saying he never received the files.', 'Dijo al banco que nunca recibió nada.'],
        ['I never received the payment.', 'He said he received it.'],
    )),
    ('impersonation', (
        [
            'He says he is an official partner of Upwork.',
            'Someone is bidding on jobs as me.',
        ],
        ['Our agency is a partner of a local bank.', "I'm applying as myself."],
    )),
    ('overpayment', (
        [
            'He says he paid me twice and wants one payment returned by Wise.',
            'Me pagó dos veces y pidió que le devuelva una.',
            'I receive the money, keep 5% and send the rest to his partner.',
            'It is a payment processing agent role.',
        ],
        ['The platform charged me twice, can you refund it?', 'I keep 20% of my earnings for taxes.'],
    )),
    ('free_work', (
        [
            'Every candidate has to translate a full 10-page document first.',
            'Only the chosen logo will be paid.',
            'Start today please, I will fund the milestone next week.',
            'The milestone is still not funded.',
        ],
        ['Each applicant must submit a cover letter.', 'The milestone is funded, you can start.', 'Each writer will write 8 articles a month at $25 each.'],
    )),
    ('unverified_client', (
        ["His payment method shows as not verified.", 'The client has no payment method.', 'O método de pagamento dele não está verificado.'],
        ['Payment method verified, 30 hires.'],
    )),
    ('account_rental', (
        ['They sell aged accounts with reviews.', 'A guy is selling Connects at half price.', 'Vende perfiles verificados.'],
        ['Can I sell my connects back?', 'My account is 5 years old.'],
    )),
    ('pay_outside_platform', (
        [
            'He wants to pay through SafeTrade Escrow, not here.',
            'We want to hire her through Deel next year.',
            'We plan to bring our editor on as a full-time contractor.',
        ],
        ['The client funded the escrow for milestone 2.', 'He will pay through the escrow on the platform.'],
    )),
    ('payment_via_rail', (
        ['He will pay me through Payeer.', 'Quiere pagarme por transferencia.'],
        ['I withdraw to my bank via Payoneer.'],
    )),
    ('money_sent', (
        ['Se los mandé por Western Union.'],
        ['I sent a proposal for a $40 job.', 'I bought a font for his project ($20) and he paid me back.'],
    )),
    ('personal_data_request', (
        ['He asked for my business verification documents.'],
        ['A page in my account settings asks me to hold my passport to the camera.'],
    )),
    ('established_relationship', (
        [
            "I've worked for this agency for 8 months.",
            "He's been great for two years.",
            'Trabalho para essa empresa há 5 meses.',
        ],
        ['I worked for free on the test.'],
    )),
    ('writer_suspects_scam', (
        [],
        ['Can we pay a fee to make it legit?', 'I read so many scam stories lately.'],
    )),
    ('suspicious_counterparty', (
        ['Got an email, looks fake.'],
        ['All the scam posts in the forum make me nervous.'],
    )),
    ('suspicious_link', ([], ['My client is leaving the platform next month.'])),
    ('platform_id_verification', (
        [],
        ["Offering aged profiles, verified ID, ready to work."],
    )),
    ('upfront_fee', (
        ['I had to pay a $20 processing fee first.', "Paid a 'release fee' to receive the client's payment."],
        ['Do I have to pay the service fee first?'],
    )),
    ('device_access_request', (['He pays $80 a week to use my computer remotely overnight.'], [])),
    ('platform_own_channel', (
        ['I ignored the email and logged in directly.', 'The same warning is on the Get Paid page.'],
        ['He asked me to reply directly to his email.'],
    )),
    ('verify_threat', (['Votre compte sera suspendu si vous ne vérifiez pas votre identité sous 48 h.'], [])),
    ('device_access_request', (
        [
            'Quiere que instale dos APK y entre a apps de bancos con sus credenciales.',
            'Il propose 200 € par mois pour garder AnyDesk sur mon PC.',
            'Ele precisa acessar minha conta para transferir os Connects.',
        ],
        ['Preciso acessar minha conta mas esqueci a senha.'],
    )),
    ('free_work', (
        ['Me pide que empiece ya y que fondea el hito la semana que viene.'],
        ['He offered a paid test task of two hours before hiring.'],
    )),
    ('device_access_request', ([], ['My agency owner wants to log into my freelancer account to send proposals.'])),
    ('check_payment', ([], ['They asked for a void cheque for payroll onboarding.'])),
    ('verify_threat', (['You must link your debit card within 6 hours to receive the transfer.'], [])),
    ('device_access_request', (['They want to keep 8 SIM cards and phones at my apartment.'], ['My phone is at home.'])),
    ('pre_contract', (["A developer I haven't hired yet wants the server password."], ['I hired him last month.'])),
    ('repeat_victims', (['He did this to three other translators as well.'], ['I did this to save time.'])),
    ('pay_outside_platform', (
        ['She wants me to refund her by Wise instead.'],
        ['The platform refunded me to my PayPal account.'],
    )),
    ('account_rental', (['Me ofrecieron comprar una cuenta Top Rated.'], [])),
    ('money_loss', (
        ['Then he moved $600 out of my PayPal.'],
        ['I moved money from my PayPal to my bank account.'],
    )),
    ('pay_outside_platform', (['Queremos contratarla a tiempo completo a través de Deel.'], [])),
    ('account_rental', (['Un chico ofrece pasarme Connects baratos.'], ['Quiero comprar Connects pero mi tarjeta falla.'])),
    ('overpayment', (
        ['She wants me to return $80 through Zelle since she paid twice on the site.'],
        ['Can you refund the duplicate charge on my card?'],
    )),
    ('free_work', (['All participants must upload a finished banner and he pays one winner.'], [])),
    ('profile_cloned', (
        ['My portfolio is being used by another account.'],
        ['My portfolio is being used by the client on his site, with credit.'],
    )),
    ('money_sent', ([], ["I bought a $25 icon pack for my client's app and he refunded me."])),
    ('pay_outside_platform', (['She asked to continue via Payoneer once this contract ends.'], [])),
    ('complied_payment_request', (
        [],
        ['My payment is on hold and the help center told me to update my tax info. I did.'],
    )),
]
_add_examples(_CHECK4_FAMILIES)

# Families from the blind-set review (each a behaviour; our own sentences, EN/ES/PT/FR/DE/IT).
_BLIND_FAMILIES: list[tuple[str, tuple[list[str], list[str]]]] = [
    ('money_sent', (
        ["Sent the $60 for the kit by Cash App. I paid it already on Friday.",
         "Ich habe dem Recruiter gestern 80 Euro über PayPal für die Aktivierung bezahlt.",
         "The agent got me to pay a $25 'membership' to see the private job list."],
        ["Ich habe dem Recruiter nichts bezahlt.", "I paid $14.99 for the Plus membership on the site."],
    )),
    ('complied_payment_request', (
        ["Me pidió devolver 200 dólares por Zelle. Ya lo hice.",
         "Il m'a demandé de renvoyer 300 € par virement. Je l'ai fait.",
         "Pediu que eu devolvesse R$ 500 pelo Pix. Já fiz."],
        ["Me pidió devolver 200 dólares por Zelle. No lo hice.", "Ya lo hice todo en la plataforma."],
    )),
    ('unpaid_work', (
        ["I lost three weeks of work.", "Perdi duas semanas de trabalho.", "J'ai perdu deux semaines de travail.",
         "Two weeks of work, around $700.", "He has paid $0 of the second half."],
        ["I lost my password last week.", "Two weeks of work remain on the contract.", "He has paid $500 so far."],
    )),
    ('work_taken', (
        ["Entreguei o site completo e ele sumiu.", "Entregué el logo y me bloqueó.",
         "J'ai livré les traductions et il a disparu."],
        ["Entreguei o site completo e ele aprovou.", "J'ai livré les traductions hier."],
    )),
    ('money_loss', (["I agreed, delivered, and now I'm out of pocket."], ["He paid the invoice out of his pocket money."])),
    ('counterparty_vanished', (
        ["First Friday: 'bank issue'. Second Friday: blocked.", "He promised to pay, then blocked me."],
        ["My account was blocked.", "The payment got blocked by my bank."],
    )),
    ('payment_owed', (["Er hat nicht bezahlt."], ["Ich habe nicht bezahlt. Ist das erlaubt?"])),
    ('payment_via_rail', ([], ["Ich habe nichts bezahlt, er wollte 80 Euro per PayPal."])),
    ('overpayment', (["Il s'était trompé de montant et voulait que je renvoie la différence."], [])),
]
_BLIND_FAMILIES += [
    ('upfront_fee', (
        ["Mi chiedono di pagare 40 euro per il materiale di formazione.",
         "Er verlangt eine Anmeldegebühr von 30 Euro.",
         "C'è una quota di iscrizione da pagare prima.",
         "Client say I must buy the 'template access' 25 USD before I start.",
         "For $60 he can get me a 'Verified Expert badge' in two days.",
         "He offered to get me the Top Rated badge for $50.",
         "The agent made me pay $25 to join a private channel of job leads."],
        ["Is there a fee to get the Expert-Vetted badge, or is it by invitation?",
         "Do I need to buy Connects for $15 before I start bidding?",
         "The client will buy the stock photos for $40 before I start."],
    )),
    ('personal_data_request', (
        ["She says she needs my username, password and the 2FA code to add me to a program.",
         "kindly send ur full name, home adress and date of birth to procced",
         "Quieren que les pase una foto de mi pasaporte.",
         "Il veut que je lui envoie une photo de mon passeport."],
        ["I need to reset my password, the code from my authenticator app never arrives.",
         "Please send your ID through the platform's verification page, support said."],
    )),
    ('account_rental', (
        ["He wants me to make a new profile with my name and ID and give it to him."],
        ["I made a new profile with my name and ID last year."],
    )),
    ('task_scam', (
        ["Earn $3 for each TikTok follow, just a phone needed.",
         "They offer $4 per 5-star review I post.",
         "They pay me to leave 5-star reviews on Amazon products."],
        ["He will only send the source files after I leave a 5-star review.",
         "I charge $40 per code review on the contract."],
    )),
    ('too_good_pay', (
        ["$800 per short article. Nobody pays that.", "Ofrecen 900 dólares por artículo. Nadie paga eso.",
         "1.500 USD por semana por responder correos."],
        ["Nobody replied to my proposal.", "I charge $800 per article for medical writing."],
    )),
    ('unverified_client', (
        ["The client's account is two days old.", "A conta dele tem 2 dias.", "La cuenta del cliente es nueva.",
         "The client joined yesterday."],
        ["My account is two years old.", "I joined yesterday and want to set up my profile."],
    )),
    ('move_chat_off_platform', (
        ["He wants to quickly call on WA before the offer.", "The client refuses to use the call feature here.",
         "Said he has 'issues with the app'.", "Quiere que sigamos la conversación por Telegram.",
         "The client sent 't.me/hr_desk — contact our HR'."],
        ["I have issues with the app on my phone.", "Our video call here went fine, he uses the call feature here."],
    )),
    ('chat_only_interview', (
        ["interviews are only held on Telegram", "he said interviews are only held there"],
        ["the interview was held on the platform's video call"],
    )),
    ('pre_contract', (
        ["no need for contract here", "disse que não precisa de contrato aqui", "pas besoin de contrat"],
        ["We need a contract for the next phase.", "The contract is active."],
    )),
    ('crypto_request', (["Ofreció pagamento semanal em USDT.", "Il veut me payer en bitcoin."],
                        ["Je développe une app de paiement en bitcoin."])),
    ('payment_via_rail', (["payment will be sent by P@yPal every friday"], [])),
]
_BLIND_FAMILIES += [
    ('malicious_test_task', (
        ["The QA job asks me to connect my own Phantom wallet to their site and sign an approval.",
         "The approval requests unlimited spending of my tokens.",
         "Then they wanted me to send them my seed phrase to 'sync'.",
         "The repo has an obfuscated postinstall script that reads browser data.",
         "This is a malware trap dressed as a job."],
        ["I am building a dApp where users connect their MetaMask wallet.",
         "I work as a malware analyst on a funded contract.",
         "I cloned the client's repo and ran npm install on our hourly contract."],
    )),
    ('scam_as_topic', (
        ["I'm writing a blog article about common freelance scams for a client.",
         "My client ordered a guide about freelance scams (fake checks, WhatsApp recruiters)."],
        ["I found the same text on a forum post about scams.", "I think these are scams, the client asked for a fee."],
    )),
    ('phishing_tell', (
        ["verify at pph-compliance.example.com", "The sender address was upwork.trust.team@gmail.com"],
        ["My client's address is anna.writer@gmail.com", "I reviewed the compliance docs."],
    )),
    ('impersonation', (["the link went to pph-compliance.example.com/verify"], ["I have a PPH account since 2019."])),
    ('task_scam', (["I got pulled into one of those 'task' apps."], ["The task app for my to-do list crashed."])),
    ('upfront_fee', (["I paid 3 'recharges' totalling $1.340,50 to unlock bonus tasks."], [])),
    ('money_sent', (["I joined a 'task' app and deposited €1.250,00 in recharges."], ["I joined the platform and deposited my first proposal."])),
    ('pay_outside_platform', (
        ["He asked whether we could 'continue directly' so neither of us pays fees.",
         "She asked if I could pay the remaining €640 directly.",
         "He suggested I pay the next milestone by bank transfer.",
         "Er möchte mich direkt per Überweisung bezahlen, ohne die Plattform.",
         "Il veut me payer directement, sans passer par la plateforme."],
        ["The client did NOT ask me to go outside the platform or pay anything.",
         "I fund the next milestone via PayPal at checkout.",
         "There is a conversion fee on my withdrawal.",
         "We continue directly with the next milestone here."],
    )),
    ('payment_details_request', (["My translator sent me his IBAN."], ["I added my IBAN in the withdrawal settings."])),
    ('fee_avoidance_motive', (["so he saves the 10% fee", "um die Gebühren zu sparen", "pour économiser les frais"], ["the fee is 10%"])),
    ('established_relationship', (
        ["After our contract here ended, he paid me for extra pages.", "We finished our contract here in March.",
         "After 8 months working together he asked for more."],
        ["Before our contract started he asked for a fee.", "The contract ended yesterday with a dispute."],
    )),
    ('unpaid_work', (["I have not been paid yet for the articles."], ["I'm the client. I have not paid yet."])),
    ('move_chat_off_platform', ([], ["The buyer did not ask me to leave the site or continue on WhatsApp."])),
    ('suspicious_link', ([], ["The buyer did not ask me to leave the site."])),
]
# second probe round after the blind review (30 fresh tickets; first reading scam R 0.88, off R 0.93, FPR 2/11)
_BLIND_FAMILIES += [
    ('on_platform_contract', (["Client with 40 hires and $200k spent invited me."], ["He says he has spent $200k elsewhere? no."])),
    ('work_taken', (["Entregué todo y ya no contesta.", "J'ai fait le travail hors de la plateforme. Il ne répond plus."],
                    ["Entregué todo y me contestó enseguida."])),
    ('counterparty_vanished', (["Desde el viernes ya no contesta."], ["Contesta rápido siempre."])),
    ('suspicious_counterparty', (["His account here will be banned soon so he wants to pay by Wise."],
                                 ["My account will be reviewed, so I wait to withdraw."])),
    ('unverified_client', (["He has no hires and joined last week."], ["We joined the call last week."])),
    ('pay_outside_platform', (["He'll deposit my salary directly if I give him my banking login."],
                              ["A long-time client wants to hire me full-time through the platform's Any Hire option."])),
]
# third probe round (30 fresh tickets, half hard negatives; first reading scam R 0.77, money_lost R 0.60, FPR 0/14)
_BLIND_FAMILIES += [
    ('unpaid_work', (["He asked for a logo as a trial and now I see mine on his website."],
                     ["I see mine is the best offer on the page."])),
    ('work_taken', (["I delivered 2 weeks ago and he's ignoring me."], ["I delivered today; ignoring the typo he was happy."])),
    ('counterparty_vanished', (["Since Monday she's ignoring me."], ["She is ignoring the typo and approved it."])),
    ('account_rental', (["Someone wants to buy my 5-year-old account for $400."], ["I want to sell my 5-year-old laptop."])),
    # 'cheaper' was missing from the keywords: the pure-re prefilter dropped "it's cheaper for him"
    ('fee_avoidance_motive', (["He wants to pay through WeChat Pay because it's cheaper for him."], [])),
    ('pre_contract', (["Il propose de me payer par virement avant même d'envoyer l'offre.",
                       "Quiere pagarme por fuera antes de enviar la oferta."],
                      ["Il a envoyé l'offre hier."])),
]
# fourth probe round (20 fresh tickets; first reading scam R 0.67, off R 0.71, FPR 1/8)
_BLIND_FAMILIES += [
    ('money_sent', (["I put $200 in their 'escrow' site for the project."],
                    ["I paid for the order with PayPal at checkout and the seller hasn't started.",
                     "I put 20 hours into the project."])),
    ('impersonation', (["They wanted the money in their 'escrow' site."], ["The escrow on the contract is funded."])),
    ('device_access_request', (["He wants to mail me 5 SIM cards and have me keep them in my phone for tasks."],
                               ["My phone has two SIM cards, one for work."])),
]
_add_examples(_BLIND_FAMILIES)

# check5 review: less obvious scam types (each family probed with our own EN/ES/PT/FR variants and hard negatives).
_CHECK5_FAMILIES: list[tuple[str, tuple[list[str], list[str]]]] = [
    ("credential_handover", (
        [
            "A buyer wrote that the site will text me a confirmation code and I should forward it to him right away.",
            "Un cliente dice que Workana me mandará un código y que se lo envíe a él por chat.",
            "The caller said my listing would be removed unless I read him the code they texted me.",
            "He offered $30 per profile if I sign up on three job boards with my documents and then hand him the logins.",
            "O contratante pediu meu login e senha da conta para ajustar o perfil.",
            "Il voulait mon mot de passe pour publier les offres à ma place.",
            "He said he pays double if I let his assistant sign in to your account on weekends.",
            "The freelancer asked me to send the contract to a different account because his is under review.",
        ],
        [
            "I forgot my password and the reset code never arrives, can you help?",
            "The client sent me the source code, I will send it back to him after the fix.",
            "Support sent me a verification code by SMS, I typed it in and it worked.",
            "My partner's account is separate from mine.",
        ],
    )),
    ("malware_file", (
        [
            "The 'contract' arrived as Invoice.pdf.exe inside a rar file.",
            "Le brief était un raccourci, pas un pdf, dans un zip.",
            "The Zoom link said my client is out of date and auto downloaded ZoomSetup.msi to my laptop.",
        ],
        [
            "I downloaded the official desktop app and the installer crashes on Windows 11.",
            "My client wants me to build an installer (.msi) for his desktop app.",
        ],
    )),
    ("pay_or_penalty", (
        [
            "Recibí un SMS: mi perfil será suspendido si no pago 25 € de tarifa de verificación.",
            "An email says my account will be deactivated unless I pay a $49 compliance fee today.",
            "They sent an invoice of $120 to settle within 48 hours or my payouts get blocked.",
            "The buyer's money is pending until I upgrade to a premium account for $200.",
            "The recruiter asks for a refundable $30 before the interview.",
            "Pour réserver votre place il faut verser 50 € en USDT.",
            "You must secure your spot with a $25 deposit, they said.",
            "A guy offered to upgrade my profile to Top Rated within a week for a $99 one-time fee.",
        ],
        [
            "My withdrawal is pending until the security hold ends, is that normal?",
            "I paid the platform's Plus membership, can I get a refund?",
            "Is the $30 refundable if I cancel the order?",
            "I upgraded my plan to get more connects, where is my invoice?",
        ],
    )),
    ("review_manipulation", (
        [
            "He wants me to open 10 customer accounts and order my own services to boost ranking.",
            "Un vendedor me propuso un review swap: yo compro su gig y él el mío.",
            "The seller said he'd tip me if I order his gig and leave 5 stars.",
        ],
        ["The client left me a 5-star review after I delivered the gig.", "How do I ask a buyer for a review?"],
    )),
    ("misdirected_transfer", (
        [
            "Some company transferred $900 to my account by mistake and asked me to send it to another account.",
            "La madre quiere pagar por transferencia 800 € y que yo devuelva el resto a su chofer.",
            "He overpaid and wants me to pass some of it to his assistant via Wise.",
        ],
        [
            "I paid the wrong invoice by mistake, can the platform refund it to my card?",
            "The client sent the milestone to the wrong contract by mistake, support fixed it.",
        ],
    )),
    ("account_rental", (
        ["A client asked if he could borrow my Fiverr login for a week.", "Someone wants to rent my credentials."],
        ["I tried using my Upwork login on a new phone and it says wrong password."],
    )),
    ("free_work", (
        [
            "Le client me demande 2 logos gratuits pour tester mon style avant de commander.",
            "La empresa pide 5 artículos gratis como prueba a todos los candidatos.",
            "O cliente pediu 10 páginas de tradução de graça como teste.",
        ],
        ["Le client demande si la révision est gratuite."],
    )),
    ("upfront_fee", (
        ["The recruiter says the skills test costs $25 and is mandatory before the interview."],
        ["The skills test on the platform is free, how many times can I retake it?"],
    )),
    ("task_scam", (
        [
            "Me ofrecieron 200 reales por día para curtir posts en Instagram.",
            "Te pagan por dar like a videos, 10 USD por tarea.",
        ],
        [
            "I manage Instagram posts for a bakery, we want more likes on the posts.",
            "Preciso de um app de tarefas para organizar minha equipe, alguém indica?",
        ],
    )),
    ("credential_handover", (
        [
            "He sent a QR code and said scan it and enter your UPI PIN to receive the payment.",
            "El cliente me pidió escanear el QR para recibir 300 USD.",
        ],
        [
            "I added a QR code to my portfolio so clients can see my website.",
            "The restaurant client wants a QR code menu designed, how much should I charge?",
        ],
    )),
    ("pay_or_penalty", (
        ["A buyer said his Zelle payment is held until I pay a $60 fee."],
        ["The payment was held until the client approved the milestone."],
    )),
    ("money_loss", (
        ["I scanned it and ₹5,000 was debited from my account instead."],
        ["The $50 was withdrawn from my Upwork balance to my bank, but it has not arrived."],
    )),
    ("unpaid_work", (
        [
            "He offered to pay me by PayPal outside the site, I delivered the logo and the payment never came.",
            "Me dijo que pagaba por transferencia, entregué los archivos y el dinero nunca llegó.",
        ],
        ["I delivered the files yesterday and the client already approved them."],
    )),
    ("money_sent", (
        [
            "Recebi um cheque de R$ 900 e devolvi R$ 300 no PIX para o assistente dele.",
            "Ils m'ont envoyé un chèque et j'ai ensuite fait un virement de 1 500 € à leur fournisseur.",
            "I paid through the link they sent.",
        ],
        ["Je n'ai pas fait de virement.", "Should I pay through the link they sent?"],
    )),
    ("money_sent", (
        ["Ya envié 200 USD por Western Union al reclutador."],
        [
            "Hola, entré con VPN y me suspendieron la cuenta. Ya envié mi documento, ¿cuánto tarda?",
            "Envié la propuesta ayer y el cliente no responde.",
        ],
    )),
    ("personal_data_request", (
        ["A recruiter on WhatsApp wants a photo of my ID and a selfie before the interview."],
        [
            "The Fiverr app itself asks me to upload a selfie with my passport, is this a scam?",
            "The app keeps asking for a photo of my ID before I can take more jobs. Is that legit?",
        ],
    )),
    ("upfront_fee", (
        ["The recruiter said I need to pay a $30 registration fee to get the job, then I install the app."],
        ["Is the $25 fee the app asks during signup official? The app itself asked me to pay it."],
    )),
    ("platform_own_channel", (
        ["It's inside the official app though.", "The Thumbtack app itself asked me for it."],
        ["He sent me a link to his own app."],
    )),
    ("counterparty_vanished", (
        ["He disappeared after I sent the files."],
        ["What happens if he disappears after I submit?", "In case he disappears, is my money safe?"],
    )),
    ("credential_handover", (
        [
            'For the audition he wants me to record "Yes, I authorize this transaction". Feels like he wants my voice for cloning.',
            "The 'casting' asks me to read lines like 'I authorise the transfer' in my own voice.",
        ],
        [
            "I am a voice actor; the client wants a warm voice for his banking app ads.",
            "Can I use AI to clone my voice for my own audiobooks?",
        ],
    )),
    ("free_work", (["El cliente me pide traducir 2.500 palabras gratis como prueba."], [])),
    ("upfront_fee", (
        ["The job needs a typing test at speedtype.example that costs $12 for the certificate."],
        ["The typing test on the site is free and I passed it."],
    )),
    ("personal_payment_task", (
        ["He wants me to test his checkout by making a purchase on his site with my real card."],
        ["I made a purchase on the site with my real card for my own use."],
    )),
]
_add_examples(_CHECK5_FAMILIES)

# check6 review: families from a fresh set written without sight of the rules (our own EN/ES/PT/FR probes and
# hard negatives; no sentence of check6 is copied here).
_CHECK6_FAMILIES: list[tuple[str, tuple[list[str], list[str]]]] = [
    ("money_loss", (
        ["The bank took it back and I'm now -$900 on my card."],
        ["I'm now - as far as I know - waiting for the payout."],
    )),
    # policy questions about the writer's own step (sharing an e-mail, a file link) are ordinary support
    ("allowed_question", (
        [
            "Is it allowed to share my email with the client now that the order is done?",
            "Can I send him my WhatsApp to share large files or is that against the rules?",
            "¿Está permitido compartir mi correo con el cliente después del contrato?",
            "Est-il permis de partager mon e-mail avec le client après la mission ?",
        ],
        [
            "Client wants me to pay $40 for training. Is this allowed?",
            "He asks every applicant for 3 free logos. Is that against the rules?",
            "Un client veut 3 articles gratuits. C'est autorisé ça ?",
        ],
    )),
    ("withdrawal_method_question", (
        [
            "I only see Payoneer as withdrawal method in Kenya, is there another option?",
            "Solo veo Payoneer como método de retiro en Bolivia.",
        ],
        ["The client wants to pay me via Payoneer instead of the contract."],
    )),
    # extras on top of an existing order/contract paid outside: off-platform between known parties, not a stranger's scam
    ("extras_paid_outside", (
        [
            "The client offered PayPal for the extra revisions, is that ok?",
            "He asked for two extra hours and said he'd pay them directly by Wise.",
            "She added rush delivery and wanted to pay the extra $40 via Venmo.",
            "O cliente quer pagar as revisões extras pelo Pix.",
            "Il veut payer les révisions supplémentaires par PayPal.",
            "The client asked me to also make a flyer and said he'd just PayPal me $80 for it.",
        ],
        [
            "I delivered the extra revisions through the order, all paid here.",
            "Can I charge extra for rush delivery on my gig?",
        ],
    )),
    # the writer asked to work from the counterparty's own account (his credentials, his profile)
    ("account_fronting", (
        [
            "He wants me to log in with his credentials and do the jobs from his account.",
            "A guy with a Top Rated profile wants me to work from his account and he pays me a cut.",
            "Quiere que trabaje desde su cuenta con sus credenciales.",
            "Il veut que je travaille depuis son compte avec ses identifiants.",
            "Ele quer que eu trabalhe na sua conta.",
        ],
        [
            "My agency owner wants me to log in to the agency account to send proposals.",
            "I sent the files to his account on the platform.",
        ],
    )),
    ("account_rental", (
        [],
        ["The client wants me to post his job ads in Facebook groups using my personal account."],
    )),
    ("pay_outside_platform", (
        [],
        [
            "I got a warning for 'taking payment outside' but I only sent a portfolio link.",
            "Contract is finished and paid. We're not planning any work outside, can I keep in touch?",
            "So I worked for free outside, on his Google Doc test.",
        ],
    )),
    ("move_chat_off_platform", (["He wants to continue the talk on another app called Zangi."],
                                ["I got a message in the app saying my ID verification is pending."])),
    ("writer_suspects_scam", (["The login page looked suspicious."],
                              ["The app said 'suspicious login, please verify' after I used a new phone."])),
    ("on_platform_contract", (
        [
            "The buyer has $2M+ spent and a verified payment.",
            "Client has a fixed price contract with me and wants to pay the rest directly to my bank.",
            "The milestone was already released, the freelancer vanished.",
            "The order is already placed here, he only wants to send raw footage.",
        ],
        ["Client has $0 spent and no reviews."],
    )),
    ("unverified_client", (
        ["Client has $0 spent and no reviews.", "O cliente entrou hoje e já quer meu número."],
        ["Ele entrou no grupo hoje."],
    )),
    ("established_relationship", (
        [
            "We met here in 2021, did several contracts, then moved to direct invoices.",
            "Contract is finished and paid, he wants to keep in touch.",
        ],
        ["We met here yesterday and he already wants my number."],
    )),
    ("pay_or_penalty", (
        [
            "Someone offered to push my gig to the first page for a $50 activation fee.",
            "Me ofrecieron posicionar mi gig en la primera página por 40 USD.",
            "I have to pay $75 for reinstatement or my account will be closed, says the message.",
        ],
        ["My gig is on the first page now, how do I keep it there?"],
    )),
    # scam recall: unpaid "tests" and trials that are real work, a client who cannot verify his payment yet
    ("free_work", (
        [
            "The client wants 8 blog posts as test before hiring anyone.",
            "They offer a trial week in their Discord before they send a contract, paid once I pass.",
            "Me piden una semana de prueba sin contrato en su Slack.",
            "On me propose une semaine d'essai sans contrat sur leur Slack.",
            "He can't verify his payment method yet but wants me to start tonight.",
            "El cliente no puede verificar el pago todavía pero quiere que empiece hoy.",
        ],
        [
            "The client asked for a short paid trial through a milestone, funded already.",
            "I can't add a payment method to withdraw my earnings.",
        ],
    )),
    ("unverified_client", (
        ["His PayPal is under review so he can't pay into escrow yet."],
        ["My own withdrawal request is under review."],
    )),
    # one-time codes relayed, a phone number lent to register accounts
    ("credential_handover", (
        [
            "He pays $3 per SMS code I forward to him.",
            "He'll register accounts with my phone number and I send him the codes.",
            "Quiere que le reenvíe los códigos que me llegan por SMS.",
        ],
        ["Support sent me a verification code by SMS and it worked."],
    )),
    # a browser extension with full data rights to see their site; a wallet connected to their "payment portal"
    ("malicious_test_task", (
        [
            "To see the staging site I have to install their Chrome extension.",
            "The extension asks to read and change all your data on all websites.",
            "He asked me to connect my MetaMask to their 'payment portal' to receive the USDT.",
        ],
        ["I am building a Chrome extension for the client's staging site."],
    )),
    # fees for a work permit / visa, a paid membership, an interview "prep track"
    ("upfront_fee", (
        [
            "They need a €400 work permit fee paid to their lawyer before I start.",
            "Me pidieron 300 USD para la visa de trabajo.",
            "I had to become a member of their association ($40) to get assignments.",
            "She says candidates who pay $150 for their interview prep track pass.",
        ],
        [
            "I am applying for a work visa myself, how do I show my earnings?",
            "I am a member of the translators' association, can I add it to my profile?",
        ],
    )),
    ("pre_contract", (
        [
            "Client asked me to start while he sorted out the contract.",
            "He said the contract would be sent after the first batch.",
            "He says auditions don't go through the contract system.",
            "El cliente me pidió una prueba antes de contratarme.",
        ],
        ["The contract is active and he funded the first milestone."],
    )),
    # a contact to write to outside, left in a job post
    ("move_chat_off_platform", (
        ["For faster hiring email me at hiring.team99@gmail.com with your CV.", "Na vaga diz para chamar no tg o recrutador."],
        ["My email at work is john@company.com."],
    )),
    ("admin_access_request", (["He wants to add his people as admins on my Business Manager."],
                              ["I added my assistant as admin on my own page."])),
    ("account_rental", (
        ["He wants to run his ads from my ad account because his got banned.", "He wants me to rent out my Facebook ad account."],
        ["I run ads from my own ad account for my clients."],
    )),
    # P2P "release a matching amount first"
    ("pay_or_penalty", (["He said I must release a matching $200 first as escrow."],
                        ["The client sent the same amount as last month."])),
    # off-platform money and money lost
    ("counterparty_vanished", (["He is ignoring me since Monday."],
                               ["He's ignoring me about it but still answering in the order chat."])),
    ("fee_avoidance_motive", (["Ele pediu pra fechar fora pra não pagar taxa."], [])),
    ("money_sent", (
        [
            "I sent 300 USDT through a P2P seller.",
            "I bought it with my card on his partner site.",
            "I've been paying him monthly by bank transfer.",
            "Le devolví los 200 USD por PayPal.",
        ],
        [
            "Se la devolví por correo.",
            "I sent it to his gmail.",
            "I bought Connects with my card.",
            "I have been paying for Freelancer Plus monthly.",
        ],
    )),
    ("pay_outside_platform", (
        [
            "The recruiter insisted on PayPal instead of a contract.",
            "He prefers Wise over the milestone.",
            "He said he will pay direct to my bank.",
        ],
        ["I prefer PayPal as my withdrawal method."],
    )),
    ("payment_via_rail", (
        ["He wants to pay me via PayPal friends and family.", "The client paid me via crypto wallet."],
        [
            "The screener wants the payment via PayPal friends and family.",
            "She asked me to write an article on crypto wallets.",
        ],
    )),
    ("money_loss", (
        [
            "200 USDT that I already had was gone from my wallet.",
            "My bank account is negative now.",
            "Mi cuenta quedó en negativo después del cheque.",
            "Lost $250 and my work.",
            "$79 lost, order cancelled.",
        ],
        ["I lost my password.", "My account is negative about this change."],
    )),
    ("complied_payment_request", (["They told me to deposit it and buy the cards. I did all of it."],
                                  ["They told me to deposit it and buy the cards. I did not."])),
    ("payment_owed", (
        ["March and April are unpaid.", "He keeps saying 'next week' since September."],
        ["March is busy for me."],
    )),
    ("work_taken", (
        [
            "I answered tickets for 5 days and then they removed me from the Slack.",
            "Se la envié por correo y desde entonces no contesta.",
        ],
        ["I answered tickets for 5 days this week, then logged off."],
    )),
    # second probe round (30 fresh tickets; first reading scam R 0.75, off P 0.70, FPR 1/9)
    ("free_work", (["He asks every applicant for 5 headlines for his real product page as test."],
                   ["I sent 3 links as a test of my own account."])),
    ("credential_handover", (
        ["Um cliente quer usar meu número de celular para cadastrar contas e que eu repasse os códigos que chegarem."],
        ["Quero usar meu número de celular novo na minha conta."],
    )),
    ("account_fronting", (
        ["He wants me to log into his account and deliver jobs from it, he keeps 50%."],
        [
            "The client wants me to work on his Google Ads account to fix the campaigns.",
            "I need to log into his Shopify account to install the theme.",
        ],
    )),
    ("money_sent", (["I paid $80, via PayPal to his friend."], ["He offered to rank my gig for $80, paid by card on their site."])),
    ("pay_outside_platform", (
        ["A regular buyer moved our orders to monthly bank transfers a year ago."],
        [
            "Got a circumvention strike for a GitHub link.",
            "I switched to PayPal for withdrawals.",
            "My card was blocked, should I switch my payouts to bank transfer for withdrawals?",
        ],
    )),
    ("move_chat_off_platform", (["The job post says to email recruiter.jane@outlook.com with your resume."], [])),
    # third probe round (20 fresh tickets, half hard negatives; first reading scam R 0.75, off R 0.83, FPR 1/6)
    ("pay_outside_platform", (["Now he says he'll pay directly but needs my banking login."],
                              ["He will pay directly through the platform once the milestone is approved."])),
    ("card_details_request", (["He needs my online banking login to add himself as payer.", "She wants my bank username."],
                              ["I need my online banking login reset, the bank locked it."])),
    ("on_platform_contract", (["The client created a funded $50 milestone for a small test task."], [])),
]
_add_examples(_CHECK6_FAMILIES)

# check7 review: families from a fresh set written without sight of the rules (first reading scam F1 0.857, off 0.898,
# FPR 0.147, money_lost R 0.780). Our own EN/ES/PT/FR probes and hard negatives; no sentence of check7 is copied here.
_CHECK7_FAMILIES: list[tuple[str, tuple[list[str], list[str]]]] = [
    # hard negatives first: the platform's dispute/feedback/arbitration processes, or the writer called a scammer
    ("platform_dispute_process", (
        [
            "The buyer accepted the delivery, then opened a dispute to get everything back. What a scammer.",
            "My case is in mediation now and the other side wants me to pay the arbitration fee.",
            "The client gave me 2 stars after saying all was perfect; can this feedback be removed?",
            "He accused me of being a scammer because the draft was late.",
            "El comprador abrió una disputa después de aprobar el logo.",
            "O cliente me chamou de golpista porque pedi mais prazo.",
            "Le client m'a traité d'escroc et a ouvert un litige.",
        ],
        [
            "He opened a dispute with PayPal after I delivered the files.",
            "I opened a PayPal dispute but the seller never answered.",
            "An Instagram account calling itself the official resolution center wants a fee to recover my funds.",
            "A DM from 'Fiverr Resolution Center' says they can reinstate my money.",
            "He wants me to test his crypto arbitrage bot with my own USDT.",
        ],
    )),
    # the writer's own link (a shared Drive folder) is no suspicious link
    ("suspicious_link", (
        ["The recruiter sent a Google Drive link with the 'job software' to install."],
        [
            "I shared a Google Drive link so the client could download the final files.",
            "Warning for sharing contact info, but it was just a Google Drive link to the assets.",
        ],
    )),
    # the writer asks whether THEY may ask for a text interview; fearing to "look suspicious" is no suspicion
    ("chat_only_interview", (
        ["The whole interview was over Telegram text, no call at all."],
        [
            "Is it ok to ask for a text-only interview? Video makes me anxious.",
            "Can I request a chat interview instead of Zoom?",
            "¿Puedo pedir una entrevista por chat en vez de video?",
        ],
    )),
    ("writer_suspects_scam", (
        ["The offer looks suspicious to me."],
        ["I don't want to look suspicious by refusing video calls.", "Does this make me look suspicious to the client?"],
    )),
    # a client keeping the work on the platform (payroll, full time through it) is no off-platform proposal
    ("clients_onto_platform", (
        [
            "We'd like to hire him full time but keep everything through Upwork. Is that possible?",
            "Can we use Upwork Payroll for our long-term freelancer?",
        ],
        ["He wants to keep everything off the platform from now on."],
    )),
    # which official payout method is better/safer: ordinary support
    ("withdrawal_method_question", (
        [
            "Which withdrawal method is cheaper from Nigeria, PayPal or Payoneer?",
            "Payoneer or bank, which is safer to withdraw my first $80?",
            "¿Cuál método de retiro es mejor en Colombia?",
            "Qual é melhor para sacar, Payoneer ou PayPal?",
        ],
        ["He wants me to withdraw and send him the money through Payoneer."],
    )),
    # a bonus sent through the platform (by mistake) is no money sent outside
    ("money_sent", (["I sent a $200 bonus via PayPal to say thanks."], ["I sent a $300 bonus instead of $30 by mistake."])),
    # the platform's own app asks for a selfie/ID (ES/PT/FR); nothing sent over a messenger
    ("platform_own_channel", (
        [
            "O pedido de selfie apareceu dentro do próprio app.",
            "La verificación se hace dentro de la app oficial.",
            "La demande vient de l'application officielle.",
        ],
        ["Ele pediu uma selfie pelo WhatsApp, fora do app."],
    )),
    ("personal_data_request", (
        ["O recrutador pediu pra eu gravar um vídeo selfie com meu documento."],
        ["O app da Workana pediu pra eu gravar um vídeo selfie com meu documento."],
    )),
    ("scam_messenger", (
        ["He asked me to continue on WhatsApp."],
        ["I didn't send anything over WhatsApp.", "Não mandei nada por WhatsApp."],
    )),
    # someone outside the platform's channels claims to be its staff/department (recruiting, legal, fund recovery)
    ("platform_staff_claim", (
        [
            "A man texted me saying he's a recruiter at Fiverr with a part-time role for me.",
            "I got an email from the 'Upwork Funds Recovery Department' about my lost payment.",
            "A buyer account named 'UpworkLegalTeam' says my profile breaks copyright.",
            "Recibí un WhatsApp del departamento legal de Workana.",
            "Recebi um SMS do time de recrutamento da Fiverr.",
            "J'ai reçu un e-mail de l'équipe juridique de Malt.",
            "A LinkedIn profile saying she's an Upwork Talent Specialist wants $99 to 'pre-select' me.",
        ],
        [
            "I contacted the Upwork legal department about my tax form.",
            "We hire through Upwork Talent Marketplace.",
            "Does Fiverr have a recruitment team for staff jobs?",
            "My client works at Upwork as an engineer.",
        ],
    )),
    # unpaid tests sized like real work (ES/PT/FR), a spec contest among invitees
    ("free_work", (
        [
            "L'agence demande un test de 1 800 mots non rémunéré.",
            "Piden una prueba de traducción de 2.000 palabras sin pago.",
            "Pediram um teste de 1500 palavras de graça.",
            "He invited twenty of us and wants everyone to submit a logo design, then he'll pick the winner to hire.",
        ],
        [
            "The paid test of 500 words was funded as a milestone.",
            "Everyone on my team can send a design for review.",
        ],
    )),
    # fees dressed as registration/software charges, paid "guaranteed contracts", a package before the work
    ("upfront_fee", (
        [
            "They charged me registration and software charges before the data entry work.",
            "He promised to guarantee 5 clients in a month for $150.",
            "The 'publisher' said I first had to buy their $900 marketing package.",
        ],
        [
            "Upwork doesn't guarantee jobs, I know.",
            "I had to buy a new laptop for my own work.",
        ],
    )),
    # someone else bidding from our agency account; an ad account verified with the writer's ID
    ("account_rental", (
        [
            "A stranger wants to use our agency account to apply for jobs for his team.",
            "They pay $30 a month if I verify their Business Manager account with my ID.",
        ],
        ["I want to use my agency account to bid on bigger jobs."],
    )),
    ("malware_file", (
        ["They want me to download their APK to do the survey tasks.", "Quieren que instale su APK para hacer las tareas."],
        ["I build APK files for my client's Android app."],
    )),
    # money owed after delivery in more wordings (money_lost with an off-platform category)
    ("payment_owed", (
        [
            "All told I'm owed $2,100 for the spring videos.",
            "He paid $200 of the $500 and the other half is still missing.",
            "The last chapter was delivered in May and ignored since.",
            "La facture de 900 € est toujours pas payée.",
            "Le entregué el sitio y sigue sin pagar.",
            "O cliente ainda não me pagou o último lote.",
        ],
        ["I am not owed anything, the contract closed fine.", "The other half of the team is in Spain."],
    )),
    # money handed over on the counterparty's own page/link, or costs the writer was made to carry
    ("money_sent", (
        [
            "I paid by card on their checkout page and nothing arrived.",
            "Their payment link charged me $39.90 and the 'client' vanished.",
            "It charged $25 'verification fee' to my card.",
            "They had me pay the shipping myself, $60 so far.",
        ],
        [
            "Upwork charged me $14.99 for Plus this month.",
            "He wants me to pay by card on his page but I refused.",
            "They wanted to make me pay the shipping but I said no.",
        ],
    )),
]
_add_examples(_CHECK7_FAMILIES)


# check14 review: the writer asks whether the platform's OWN process, message or rule is a scam (a payment hold, a
# withdrawal fee, the in-site verification, a tax or security e-mail checked on the site, the payout form, a bonus
# through the contract, a paid test here, samples of published work, an hours dispute) or asks in general about scam
# signs (first reading scam F1 0.842, off 0.900, FPR 0.191 (13/68), money_lost 0.826/0.792). Our own EN/ES/PT/FR
# probes and hard negatives; no sentence of check14 is copied here.
_CHECK14_FAMILIES: list[tuple[str, tuple[list[str], list[str]]]] = [
    ("platform_process_topic", (
        [
            "My earnings from the logo job are still pending after a week.",
            "The dashboard says the money is available in 10 days.",
            "Payment held 5 days for new accounts, is that how it works?",
            "How much is the withdrawal fee to a local bank?",
            "¿Cuál es la comisión de retiro a Payoneer?",
            "A taxa de saque parece alta demais.",
            "Les frais de retrait ont changé ce mois-ci ?",
            "The exchange rate I got was worse than Google's.",
            "I am setting up my first withdrawal method and it wants a bank account.",
            "The client added a bonus through the same contract after we closed it.",
            "Le client a envoyé une prime via le contrat.",
            "It is a paid test article, $20 through a fixed-price contract here.",
            "Una prueba pagada de 300 palabras, con contrato.",
            "He wants two samples of my previous work before the interview.",
            "Ella pidió muestras de mis trabajos anteriores.",
            "Is that your fee or the bank's? I got 3% less.",
            "¿Es su comisión o la del banco?",
            "A taxa da plataforma subiu?",
            "Les frais de la plateforme sont de combien ?",
            "When does the auto-release happen on a fixed-price job?",
        ],
        [
            "Milestone status: pending funding. He says start anyway.",
            "He wants a free test article before any contract.",
            "If my payment is ever held, what should I do?",
            "He asked me to pay $30 so the account gets activated.",
            "The client sent the money via PayPal outside the site.",
        ],
    )),
    ("general_scam_question", (
        [
            "Just a general question: what are the usual signs of a fake job post?",
            "This is not about a specific client, I just want to be prepared.",
            "Una pregunta general, ¿cuáles son las señales típicas de una estafa?",
            "Uma pergunta geral: quais são os sinais típicos de golpe?",
            "C'est une question générale, pas à propos d'un client précis.",
        ],
        [
            "A client asked me to move to Telegram, I think it is a scam.",
            "He wants me to pay for training before I start.",
            # a bare "general question" is a preamble, often to a real incident
            "General question: a client asked me to move to Telegram before sending the offer. Is that normal?",
            "Una pregunta general: un reclutador me pide pagar 50 dólares de formación. ¿Es normal?",
            "Uma pergunta geral: o cliente quer falar pelo WhatsApp antes do contrato.",
            "Question générale : un client veut me payer par chèque et que j'achète du matériel.",
        ],
    )),
    # the platform's own step, not a counterparty writing inside the site's chat
    ("platform_own_channel", (
        [
            "The request popped up inside the site itself when I tried to send a proposal.",
            "I saw it inside the platform, not in an email.",
            "Apareció dentro de la plataforma al entrar.",
            "Apareceu dentro da plataforma, não por e-mail.",
            "Its links all point to your help centre.",
            "When I log in directly I see the same banner.",
            "He wants a quick call with the meeting button in the messages before the contract.",
        ],
        [
            "Someone messaged me inside the platform chat asking for my code.",
            "A 'support agent' wrote to me inside the platform asking for my password.",
            "The verification page was inside the site of the client's company.",
        ],
    )),
    # an on-platform hours dispute is the platform's own process
    ("platform_dispute_process", (
        [
            "The client disputed 4 of my hours on the hourly contract.",
            "Some of my tracked hours were disputed this week.",
            "El cliente disputó 3 de mis horas de la semana.",
            "O cliente contestou algumas horas da semana.",
        ],
        [
            "The client says the hours are too many but paid them.",
        ],
    )),
    # a "will vanish" fear is not a vanished counterparty
    ("counterparty_vanished", (
        ["He got the files and then vanished."],
        ["I'm afraid the money will vanish if I accept this.", "Worried that the client could just disappear."],
    )),
    # "the free work scam people warn about" names the scam type; it is not a demand
    ("free_work", (
        ["He wants a free sample article from each applicant."],
        ["Is this the free work scam everyone talks about?", "I've read about 'free sample' scams."],
    )),
    # "after reading about overpayment scams" is hearsay
    ("overpayment", (
        ["He overpaid me by $400 and wants the difference back."],
        ["After reading about overpayment scams I'm nervous about any bonus."],
    )),
    ("platform_id_verification", (
        ["Ada notifikasi verifikasi identitas sebelum kirim proposal."],
        ["Someone messaged me: verify your identity within the hour."],
    )),
    # "I've read about 'free sample' scams", "samples of my published work" are no demand for free work
    ("free_work", (
        ["Is this the classic free work trick? He wants 40 hours before funding."],
        [
            "He asked for samples of my published work - free work?",
            "Is this the free sample scam people warn about on forums?",
        ],
    )),
    # the platform's own payout form asking for the bank account is no counterparty's data request
    ("personal_data_request", (
        ["The recruiter wants my bank account and routing number to set up payroll."],
        ["Site wants my bank account and routing number for withdrawals."],
    )),
    # "paid $20 through a fixed-price contract here" is an on-platform payment
    ("money_sent", (
        ["I paid $20 through his PayPal link."],
        ["The client paid $20 through a fixed-price contract here for the test."],
    )),
]
_add_examples(_CHECK14_FAMILIES)


# Languages the es/pt/fr branches do not cover: the strongest behaviours (our own sentences).
EXAMPLES.update({
    "intl_money_sent": (
        [
            "Я перевёл ему 3000 рублей на карту",
            "Wczoraj zapłaciłam 200 zł za kurs",
            "Parayı papara ile gönderdim",
            "Tôi đã nạp 500 nghìn vào tài khoản",
            "toi da chuyen 2 trieu cho ho",
            "دفعت 100 دولار للعميل",
            "saya sudah transfer 300 ribu ke rekening dia",
            "after ko magbayad, wala na siya",
            "Ich habe ihm 150 Euro überwiesen",
            "Ho già pagato 80 euro con PostePay",
        ],
        [
            "Я не перевёл деньги, он просил",
            "Nie zapłaciłem, to wygląda na oszustwo",
            "I paid nothing and he vanished",
            "saya belum transfer apa-apa",
            "Ich habe nichts gemacht",
            "Ich habe das Geld nicht überwiesen",
            "Ich habe nichts bezahlt",
            "ما دفعت شيئا",
            "Hindi pa ako nagtransfer",
            "ho letto le regole del sito",
        ],
    ),
    "intl_fee": (
        [
            "Нужно внести 2000 рублей для доступа к заданиям",
            "Требуют взнос за обучение",
            "Muszę opłacić szkolenie przed pracą",
            "kayıt ücreti olarak 300 TL istedi",
            "Họ bảo phải đóng phí đăng ký 200 nghìn",
            "yêu cầu đặt cọc trước khi nhận việc",
            "phải nạp 1 triệu để nhận nhiệm vụ",
            "طلب مني دفع رسوم تدريب",
        ],
        [
            "Спасибо за помощь",
            "Opłata serwisowa platformy jest za wysoka?",
            "Ile wynosi opłata za weryfikację konta na platformie?",
            "Bankam transfer ücreti kesti, para eksik geldi.",
            "Какой сбор за вывод средств?",
            "hizmet bedeli neden yüksek",
            "phim hay quá",
            "I snapped a photo of the fee table",
        ],
    ),
    "intl_vanished": (
        [
            "после этого меня заблокировали",
            "teraz nie odpowiada na wiadomości",
            "ödedim, sonra kayboldu",
            "giờ họ chặn tôi rồi",
            "سحب المال ثم اختفى",
            "setelah itu saya diblokir",
            "blocked na ako sa Telegram",
            "ab reply nahi kar raha",
        ],
        [
            "Клиент ответил вчера",
            "Klient odpowiedział szybko",
            "he blocked the wall with a chair in the photo",
        ],
    ),
    # check23/dev review: a purchase for the counterparty to be repaid ON the platform (scam only until the writer pays).
    "repaid_on_platform": (
        [
            "He asked me to buy $500 of Bitcoin and said he'll pay me back here with a bonus on top.",
            "Buy five Apple gift cards for his team and he will reimburse you in the first milestone.",
            "she'd pay us back on the contract next week",
            "He promised to reimburse me as a bonus on our contract.",
        ],
        [
            "He'll reimburse me by bank transfer for the hosting.",
            "He said he'd pay me back via PayPal.",
            "I paid the client back for the refund.",
            "He'll pay me when the milestone is approved.",
        ],
    ),
    "intl_messenger": (
        [
            "он написал мне в Телеграм",
            "давай в ватсап",
            "nhắn tin qua Zalo",
            "تواصل معي على تيليجرام",
            "كلمني على واتساب",
        ],
        ["Напишите мне здесь на сайте", "liên hệ qua tin nhắn của nền tảng", "Zalando order"],
    ),
})


# Fifth session (check29/check30 first readings): the strongest behaviours in more languages, the support
# channel question, and a near miss ("almost paid") that is no payment. Our own sentences.
_FIFTH = [
    ("pay_outside_platform", (
        [
            "Mi propone di pagare con bonifico fuori piattaforma per evitare le commissioni.",
            "Può pagarmi le modifiche con Satispay direttamente?",
            "Er will das Honorar außerhalb der Plattform überweisen.",
            "Er möchte mich direkt per Überweisung bezahlen.",
            "Klient chce zapłacić przelewem poza platformą.",
            "Gusto niya akong bayaran diretso sa GCash.",
            "sa PayPal na lang daw para walang fee",
            "العميل يريد الدفع مباشرة عبر تحويل بنكي",
            "Заказчик предлагает оплату вне платформы.",
            "Müşteri ödemeyi platform dışında yapmak istiyor.",
            "gusto niya magbayad direkta sa bank ko",
        ],
        [
            "Il pagamento è arrivato direttamente sulla piattaforma.",
            "Ho parlato con il cliente fuori orario.",
            "Die Zahlung kam direkt über die Plattform.",
            "Płatność bezpośrednio przez platformę działa.",
            "Nakuha ko na ang bayad diretso sa platform.",
            "الدفع مباشرة عبر المنصة تم بنجاح",
            "Оплата прошла на платформе.",
        ],
    )),
    ("personal_data_request", (
        [
            "client pehle aadhaar card aur PAN card ki photo maang raha hai",
            "usne bola PAN card ki photo bhejo",
            "Klient prosi o skan dowodu osobistego i numer PESEL.",
            "Dia minta foto KTP dan selfie sebelum kontrak.",
            "Заказчик просит фото паспорта до контракта.",
            "العميل يطلب صورة جواز السفر قبل العقد",
            "He wants screenshots of my last three bank statements.",
            "hinihingi niya ang valid ID ko bago ang contract",
            "Instead of a staff account he wants the store owner login plus the 2FA codes.",
            "He asked for my OTPs as they arrive.",
            "Un prestataire me demande mes identifiants bancaires.",
            "Me pidió mis credenciales bancarias para pagarme.",
        ],
        [
            "Платформа попросила пройти верификацию, я загружаю паспорт.",
            "verifikasi minta foto KTP dari sistem",
            "I uploaded my PAN card for the tax form myself.",
            "He wants the store owner login page to load faster.",
        ],
    )),
    ("money_sent", (
        ["Depois das tarefas, depositei R$ 200 no app deles."],
        ["Tarefas no Telegram - quase depositei R$ 200", "Casi pagué la tarifa de 50 dólares.", "I nearly sent $35 via Cash App."],
    )),
    ("support_channel_question", (
        [
            "Does support have a WhatsApp number?",
            "Is there a WhatsApp or phone number for support?",
            "Does your support ever contact people on Telegram?",
            "¿Tienen número de WhatsApp para soporte?",
            "Vocês têm WhatsApp para atendimento?",
            "Avez-vous un numéro WhatsApp ?",
        ],
        [
            "The client wants to move to WhatsApp.",
            "Someone on WhatsApp says he is support.",
            "¿Tienen alguna forma de bloquear a este cliente?",
        ],
    )),
]
_add_examples(_FIFTH)

# Sixth session (check32/check33 first readings): behaviours missed in more languages, refunds asked by
# PayPal Friends & Family, escalating deposits. Our own sentences.
_SIXTH = [
    ("refund_outside_request", (
        [
            "He says he was billed twice and wants one payment refunded via PayPal Friends and Family.",
            "buyer asks me to send the $40 back F&F to save time",
            "Quiere que le devuelva el dinero por PayPal amigos y familiares.",
        ],
        [
            "I send money to my sister via PayPal friends and family.",
            "The buyer asked for a refund through the resolution center.",
        ],
    )),
    ("overpayment", (
        [
            "Klient pomylił się o jedno zero i prosi o zwrot różnicy.",
            "Zapłacił za dużo, teraz prosi o pilny zwrot 900 zł na inne konto.",
        ],
        ["Klient prosi o zwrot pieniędzy przez platformę.", "I was charged twice by my bank, no refund yet."],
    )),
    ("personal_data_request", (
        [
            "Müşteri kimlik kartımın fotoğrafını istiyor.",
            "Sözleşmeden önce nüfus cüzdanı ve selfie istedi.",
        ],
        ["Kimlik doğrulamasını platformda kendim tamamladım."],
    )),
    ("device_access_request", (
        ["Заказчик хочет, чтобы я поставил TeamViewer и дал ему доступ.", "Просит AnyDesk к моему компьютеру."],
        ["Я установил AnyDesk для своей работы."],
    )),
    ("credential_handover", (
        ["Call aaya, bole jo OTP aaya hai wo bata do.", "wo mera OTP maang raha hai", "password bhej do bola usne"],
        ["OTP nahi aa raha login ke liye", "mujhe OTP mil gaya, login ho gaya"],
    )),
    ("pay_outside_platform", (
        ["Der Kunde will nicht über Fiverr bestellen und schickt das Geld per Wise.",
         "Er möchte lieber nicht über die Plattform zahlen."],
        ["Ich kann nicht über die Plattform zahlen, meine Karte wird abgelehnt."],
    )),
    ("money_sent", (
        [
            "pinag-deposit ako ng ₱2,000 sa GCash para sa VIP task",
            "nag-send ako ng 500 sa kanya",
            "Maine 2,500 UPI kar diye us bande ko",
            "I deposited 100, then 250, then 600 to unlock my commission.",
        ],
        ["hindi ako nag-send ng pera", "Maine UPI se payment nahi kiya", "I sent 3 samples, then 2 more."],
    )),
]
_add_examples(_SIXTH)

# check35 review (seventh session): a payment app as a verb with "it", a Russian paid "verification", the other
# side gone quiet after payment (German) or shown as unavailable. Our own sentences.
_SEVENTH = [
    ("payment_via_rail", (
        ["He asked me to just Zelle it to him every month.", "can you cashapp it over tonight?"],
        ["I tried to Zelle the rent but the bank app crashed, it is my own account.",
         "Does the platform pay it to PayPal or to my bank?"],
    )),
    ("intl_fee", (
        ["Перед заказом нужно пройти регистрацию на их портале, стоимость 1 500 ₽.",
         "Он предложил платную верификацию профиля."],
        ["Я прошла верификацию на платформе, всё бесплатно.", "Стоимость проекта 20 000 ₽, регистрация не нужна."],
    )),
    ("counterparty_vanished", (
        ["Ich habe 300 € geschickt. Seitdem keine Antwort.",
         "Now the chat says the user is unavailable.",
         "his profile now shows as 'no longer available'"],
        ["Meine Auszahlung hängt. Seitdem keine Antwort vom Support.",
         "The course is unavailable in my country."],
    )),
]
_add_examples(_SEVENTH)

# check37 review (seventh session): payment outside told indirectly — a bonus or tip to the writer's IBAN, Pix key
# or e-wallet, the other party's own shop or booking page, German verb-final, "I'll add $50 on Zelle".
_EIGHTH = [
    ("bonus_outside", (
        [
            "He loved the logo and asked for my IBAN to send a small bonus.",
            "O cliente quer mandar uma gorjeta e pediu minha chave Pix.",
            "She wants to give me a tip via Wise for the fast turnaround.",
            "Klien minta nomor DANA saya buat bonus.",
        ],
        [
            "He sent me a bonus through the platform's bonus button.",
            "I got a $50 bonus and withdrew it to my PayPal.",
            "Can clients tip freelancers here on the platform?",
        ],
    )),
    ("pay_outside_platform", (
        ["The seller says the premium package is cheaper on his Shopify store.",
         "She wants future sessions booked on her Calendly, which takes payment at booking.",
         "You can just buy the licence on my own Gumroad page."],
        ["I paid a developer to fix my Shopify checkout.", "The buyer asked me to set up his Etsy shop banners."],
    )),
    ("payment_via_rail", (
        ["Der Kunde will die dritte Rate per Überweisung zahlen.",
         "he'll add $50 on zelle if i deliver in 24h"],
        ["Die Auszahlung per Überweisung dauert drei Tage.", "Can I add $50 to the milestone?"],
    )),
]
_add_examples(_EIGHTH)

# Eighth session: check39-check47 (off-platform payment told indirectly and in other languages, policy questions
# and the platform's own billing read as incidents, money received read as money lost). One entry per signal.
_NINTH = [
    ("no_incident_stated", (
        [
            "Nobody has offered me anything like that, I just want to know the rules.",
            "To be clear, no one asked me to pay outside the contract.",
            "It hasn't happened yet, I'm only asking before it comes up.",
            "I'm new and trying to understand the policy on tips.",
        ],
        [
            "No one has replied to my ticket for three days.",
            "Nobody asked about my portfolio, he only wanted my bank login.",
            "Something like this happened to my friend last year.",
        ],
    )),
    ("pay_outside_platform", (
        [
            "Instead of creating a milestone he offered to pay my hosting for a year.",
            "She asked if she could just cover my internet bill this month instead.",
            "In exchange I would do the next 20 hours without a contract.",
            "He offered to knock the amount off my rent.",
            "The buyer asked me to send the refund to his PayPal, since refunds here are slow.",
            "She wants $80 back on Venmo after cutting a page.",
            "Their finance team invited me to their Coupa supplier portal for next quarter.",
            "He will pay the rest in person when he picks up the prints.",
            "Musteri bundan sonra disaridan, EFT ile odemek istiyor.",
            "He asked if he could order it from my Etsy shop instead.",
            "She wants me to make a profile on another freelance site where her company has credit.",
            "I would build his site in exchange for the wedding photos.",
            "Elle propose d'etre payee en CESU plutot que par l'application.",
            "Musteri odemeyi dogrudan IBAN'ima havale ile yapmak istiyor.",
            "He wants to invoice us from his own LLC from now on.",
            "Client wants to pay me outside the platform.",
        ],
        [
            "Instead of a new contract we added a milestone to the old one.",
            "In return I left him a five-star review.",
            "I requested a refund and it went back to my PayPal through the resolution centre.",
            "We met in person once at a conference.",
            "The client pays his own hosting bill.",
            "My customers want to buy from my Shopify store but the checkout fails.",
            "They asked me to create an account on their site to see the tasks.",
            "He wants to pay part as a bonus instead of a milestone.",
            "Musteri odemeyi dogrudan site uzerinden yapti.",
            "I was suspended this morning with a note about 'taking payments outside the platform'.",
            "I'm not asking a client to pay me outside, I just want my earnings faster.",
            "I don't accept PayPal or bank transfer outside the platform.",
            "Will logging in from outside my home country lock my account?",
        ],
    )),
    ("payment_via_rail", (
        [
            "Every Friday she sends me an Interac e-transfer for the week.",
            "His brother sent me $200 from his own PayPal.",
            "He's been paying us from his company account since the contract was paused.",
            "The client wants to pay the balance to my sister's GCash.",
            "De klant wil de laatste termijn met een Tikkie betalen.",
            "Klient chce rozliczac kolejne godziny przelewem na moje konto.",
            "Il cliente vuole pagarmi il resto con bonifico.",
            "Er will per Scheck zahlen.",
            "He said he'd ACH me on Friday for the extra batch.",
            "Since the card failed I just hand him the cash at the door.",
            "She asked if she could leave the money in an envelope.",
            "La clienta me hizo un Bizum con el resto.",
            "He set up a standing order from his business account.",
            "She paid me through her cousin's bank account.",
            "Payments are released every Tuesday by international wire.",
            "Musteri ucreti Papara hesabima gondereyim diyor.",
            "Zleceniodawca sam przelal mi 800 zl na konto.",
            "Khách bảo phần còn lại sẽ chuyển qua MoMo.",
            "Он будет оплачивать переводом по СБП.",
            "Since June sa Palawan Express na niya ako pinapadalhan ng sahod.",
            "O cliente me mandou R$ 200 no Pix como agradecimento.",
            "He sent me a $150 Interac e-Transfer for the rush.",
        ],
        [
            "I paid for my Plus membership with PayPal.",
            "Send me your PayPal email for the withdrawal form.",
            "I sent $40 from my own PayPal to my brother.",
            "Ach, ich weiss nicht, ob das erlaubt ist.",
            "De klant heeft via het platform betaald.",
            "I withdrew cash from the ATM after the payout.",
            "My cousin's account got hacked last week.",
            "Die Auszahlung per SEPA oder Bank dauert ewig.",
            "They want $50 in USDT to unlock the tasks.",
            "Ela pediu R$ 50 por Pix de taxa.",
        ],
    )),
    ("writer_took_offplatform", (
        [
            "He sent me $220 through Wise for the extras since he didn't want a new milestone.",
            "The first two parts he paid me over Revolut.",
            "Over the holidays he Zelle'd me for that week.",
            "Half my clients end up e-transferring me for the small stuff.",
        ],
        [
            "He never sent me anything through Wise.",
            "He offered to send me the money through Wise.",
            "She wants to pay me via PayPal next time.",
        ],
    )),
    ("money_sent", (
        [
            "We paid him $500 by Wise last week.",
            "Our finance team sent $1,200 to his account.",
        ],
        [
            "When we met he paid the $400 in cash.",
            "I just sent him a PayPal invoice for the extra $60.",
            "After we finished, the customer sent me $40 on Cash App.",
        ],
    )),
    ("platform_billing_question", (
        [
            "Can our nonprofit pay your invoices for our contracts by check?",
            "Our finance team prefers to fund contracts by bank wire instead of card.",
            "Dá para pagar as faturas dos contratos aqui na plataforma com boleto?",
            "I see wire transfer under billing methods; where is the reference number so the wire transfer payment gets matched?",
        ],
        [
            "He wants to pay the milestone by wire to my own account.",
            "They asked why they pay the platform fee on top of my rate.",
            "Can I withdraw to my bank by wire?",
        ],
    )),
    ("payment_details_request", (
        [
            "O cliente pediu minha chave Pix pra mandar o valor.",
            "He asked for my bKash number to send the money.",
            "Client just asked: do you take Revolut?",
            "Musteri Papara numarami istedi.",
        ],
        [
            "He asked for my portfolio link.",
            "Where do I add my PayPal email for withdrawals?",
        ],
    )),
    ("scam_messenger", (
        [
            "He wants to continue on Telegram instead.",
        ],
        [
            "Estou desenvolvendo um bot de Telegram para um cliente.",
        ],
    )),
]
_add_examples(_NINTH)

# Ninth session, from check50 (payment outside told without naming it; a client's own escrow or gateway).
_TENTH = [
    ("offplatform_euphemism", (
        [
            "He'll send the other 50% when I deliver, 'the way we discussed'.",
            "The bonus would come the usual way for his team, through his sister.",
            "He wants to send me something extra on the side because of the fees.",
            "The client said we should handle that privately since it's a fixed monthly retainer.",
            "Instead of a new contract he gives me a week's stay at his hotel.",
            "The client could just send this job's money to my brother in Germany.",
            "The seller offered to return the $30 himself if I send him my IBAN.",
            "He told me to log the extra hours in a sheet and he'd pay that part separately.",
            "I'd like to buy it from that designer directly since the contest is over.",
            "The client offered to put me on his company's payroll as a part-timer.",
            "Un cliente ha proposto di pagarmi fuori con un assegno.",
        ],
        [
            "Is the payment protected the same way as a normal contract?",
            "She asked me to send the offer to his friend's profile.",
            "They wanted $150 paid to their partner site for a badge.",
            "So his payroll company can verify me, he says.",
            "Instead of a new contract he sent a new offer through the platform.",
            "I withdraw my earnings the usual way through the platform.",
        ],
    )),
    ("own_payment_channel", (
        [
            "He sent me a link to his 'secure escrow' and will pay the whole project there.",
            "The paid test would go through his own payment gateway.",
            "Klien minta pembayaran lewat rekening bersama milik temannya.",
        ],
        [
            "The scammer asked me to test their payment gateway with my own card.",
            "He funded the escrow on the platform yesterday.",
        ],
    )),
]
_add_examples(_TENTH)

# The check52 round (eleventh session): behaviours its first reading missed.
_ELEVENTH = [
    ("payment_denied", (
        [
            "I haven't sent him anything. How should I handle this?",
            "I paid nothing. Do you have agents on LinkedIn?",
            "nothing was sent, my sister grabbed my phone",
            "No le he pagado nada y no pienso hacerlo.",
            "Não paguei nada. Pode ser golpe?",
            "Non ho mandato niente.",
        ],
        [
            "I didn't pay the second fee, the first $80 is gone.",
            "I haven't paid that one but my 500 is stuck.",
            "I have sent nothing since.",
            "Then they wanted $150 more; I paid nothing more.",
            "I haven't sent them anything else.",
            "He now claims I never paid anything.",
            "I paid nothing upfront, but then I sent $200.",
            "I sent $300 and nothing was sent back.",
            "Nothing paid, he keeps saying next week.",
            "I never sent them a cent, but I translated the whole test batch.",
        ],
    )),
    ("credential_handover", (
        [
            "Il veut se connecter à mon compte Malt avec mes identifiants pour vérifier mes missions.",
            "El cliente quiere entrar con mis credenciales para revisar mi historial.",
            "Prosi, żebym podała mu 6-cyfrowy kod BLIK z mojej aplikacji.",
        ],
        [
            "J'ai oublié mes identifiants, pouvez-vous m'aider ?",
            "Le client a payé par BLIK sur la plateforme.",
            "How do I buy Connects with a BLIK code?",
            "Il veut m'envoyer mes identifiants pour son site.",
        ],
    )),
    ("overpayment", (
        [
            "He said the bonus was a mistake, meant for another freelancer, and asked me to send it back through Wise.",
            "The client sent $300 by accident and wants me to return it back to his PayPal.",
        ],
        [
            "He said the bonus was a mistake and asked me to send it back through the platform's refund tool.",
            "I made a mistake in the file and sent it back to him corrected.",
            'He messaged "sorry I sent you a code by mistake, please send it back to me".',
        ],
    )),
    ("money_sent", (
        ["I returned his deposit myself by bank transfer the same day."],
        ["I returned his deposit through the platform.", "I returned the files by email."],
    )),
    ("pay_outside_platform", (
        [
            "Der Kunde möchte den Rest bar bei der Übergabe vor Ort zahlen.",
            "Hij stelde voor om rechtstreeks te factureren.",
            "Ik weet dat het buiten Malt om ging.",
            "De klant wil contant betalen bij de oplevering.",
        ],
        [
            "Ich war in einer Bar und habe das Angebot gelesen.",
            "Hij heeft via het platform betaald.",
            "Dat is buiten mij om gegaan.",
            "Ik werk buiten kantoortijd om.",
        ],
    )),
    ("offplatform_euphemism", (
        ["We settled the last milestone privately between us."],
        ["We settled the last milestone through a dispute here.", "Please handle my report privately."],
    )),
    ("payment_via_rail", (
        ["he will pay u thru his cousin gcash after u finish"],
        ["my cousin uses gcash for his shop"],
    )),
]
_add_examples(_ELEVENTH)

# The check53 round (money_lost on the line, eleventh session).
_ELEVENTH_B = [
    ("money_sent", (
        [
            "He asked me to pay $350 directly through Wise so he could start immediately. Paid it. No replies since.",
            "They needed a background check first. $45 on Venmo to @bgcheck-verify-fast. Nothing came back.",
            "The plugin came from their reseller. $390 on Cash App to a person named D. Marlow.",
        ],
        [
            "$45 on Venmo to me would be fine, he said.",
            "He wants a fee first. $50 via Zelle to activate the account. Is this legit?",
            "Había que hacer un pago de 50 USDT por Binance, pero no lo hice.",
            "Ada klien yang minta saya bayar deposit Rp 200.000 dulu. Saya belum transfer apa-apa.",
        ],
    )),
    ("payment_denied", (
        ["I didn't send anything, I just want him reported.", "I did not pay anything to that recruiter."],
        ["I didn't send the files yet."],
    )),
    ("payment_via_rail", (
        ["The fee was $45 on Venmo to his HR person."],
        [
            "Para activar mi perfil necesito pagar 20 dólares por Binance, dice el reclutador.",
            "Tengo que pagar 30 euros por PayPal para la verificación, dicen.",
        ],
    )),
]
_add_examples(_ELEVENTH_B)

# The check55 round (off-platform payment told in passing in other languages, eleventh session).
_ELEVENTH_C = [
    ("pay_outside_platform", (
        [
            "Ele sugeriu fechar direto comigo pra ninguém pagar taxa.",
            "Un client régulier me règle maintenant en dehors pour les petites retouches.",
            "Il resto me l'ha dato in contanti lì in studio.",
            "Dia bilang bayarnya langsung ke rekening saya saja karena di luar kontrak.",
            "Gaji mingguan dikirim langsung ke rekening saya, bukan lewat platform.",
            "Yung kalahati binayad na niya sa PayPal ko diretso.",
            "Khách sẽ trả lương qua chuyển khoản ngân hàng ngoài nền tảng.",
        ],
        [
            "Ele quer falar direto comigo pelo chat daqui.",
            "Je travaille en dehors des heures de bureau.",
            "Il cliente mi ha pagato tramite la piattaforma, niente in contanti.",
            "Nagbayad ako ng Connects sa Upwork using PayPal.",
            "Pinadala sa Payoneer ko ang kita ko.",
        ],
    )),
    ("money_sent", (
        [
            "Ich hab's per PayPal (Freunde & Familie) an die genannte Adresse geschickt.",
            "Había que hacer una recarga de 50 USDT por Binance para la tarea, la hice.",
        ],
        [
            "Ich habe das Geld nicht überwiesen.",
        ],
    )),
    ("payment_via_rail", (
        ["Ich habe es per PayPal (Freunde & Familie) an die Adresse geschickt."],
        ["Per PayPal-Auszahlung kam heute mein Guthaben an."],
    )),
]
_add_examples(_ELEVENTH_C)

# Twelfth session, check59 (es/pt/fr) and check60 (hard cases) reviews: an obligation
# or an attempt before "AMOUNT via RAIL" is a request (scam evidence), "nunca" denies like "never", the es/pt
# clitic after a rail name ("PayPal me cobra") is not "PayPal me", a fee "on the side" is a fee.
_TWELFTH = [
    # a failed attempt is not read as a denial: an earlier payment may have gone through (review of the first draft)
    ("payment_denied", (
        [],
        [
            "He asked for a $300 activation fee via Zelle and I sent it on Monday. On Wednesday he wanted $500 more, "
            "but my bank blocked the transfer.",
            "I paid the $90 training fee via Cash App. When he asked for the $300 release fee I tried again but nothing "
            "went through.",
            "My bank blocked the transfer, so I went to a Western Union office and sent the $600 from there.",
        ],
    )),
    ("money_loss", (["In total nearly $3,000 lost to this fake client."], [])),
    ("upfront_fee", (["Nunca había visto algo así, me pidieron pagar 50 dólares de inscripción para empezar."], [])),
    ("payment_via_rail", (
        [
            "Just PayPal me the rest tonight.",
            "I sent $200 via Remitly to the client.",
            "Venmo me when you can.",
            "Por Zelle me envió 200 dólares por la traducción.",
            "Pelo PayPal me mandou R$ 500 pelo projeto.",
            "I had to send him the files first and he paid $500 via PayPal.",
        ],
        [
            "¿PayPal me cobra comisión al pasarlo a mi cuenta del banco?",
            "He asked me to send $60 via Zelle to start the job.",
            "I tried to send $200 via Remitly but my bank blocked it.",
            "Ele disse que eu precisava pagar uma taxa de R$ 49,90 por Pix pra liberar o acesso.",
            "He said I had to buy the license from his vendor for $60 via Zelle.",
        ],
    )),
    ("pay_outside_platform", (
        ["Me pidió pagos por fuera desde el primer día."],
        ["Yo nunca pedí pagos por fuera, nunca compartí contacto.", "Je n'ai jamais accepté de paiement en dehors."],
    )),
    ("payment_owed", (
        ["El cliente nunca me pagó y me debe 800 dólares desde octubre."],
        [],
    )),
    ("platform_support_topic", (
        [
            "Meu banco bloqueou uma transferência vinda da plataforma e pediu comprovante de origem dos recursos.",
            "My bank wants proof of income for the payouts.",
            "Ma banque demande un justificatif d'origine des fonds.",
        ],
        [
            "Luego el proyecto entero lo paga por transferencia fuera de la plataforma.",
            "He says the payment from Upwork support needs my card number.",
            "Got an email that a payment from Upwork is waiting and I need to verify my bank login through the link.",
            "I sent $300 via Western Union and sent him the proof of payment from my bank.",
            "Me ofreció una transferencia en lugar de la plataforma, directo a mi cuenta del banco.",
        ],
    )),
    ("offplatform_euphemism", (
        [
            "He wants to pay the rest on the side.",
            "The client will send the deposit on the side and the rest through Upwork.",
            "He said he would pay the fees on the side so I don't lose 20% to the platform.",
        ],
        ["He asked me to pay the onboarding fee on the side before the contract."],
    )),
]
_add_examples(_TWELFTH)

# Twelfth session, check62 (es/pt/fr) review: payment outside proposed in passing ("directamente", "em dinheiro",
# "entre nosotros", a CDI), a refund by a rail, unpaid test work and gift cards asked for, in Spanish, Portuguese and
# French; an obligation with "d'abord" before the fee; "j'ai pas encore payé" is the writer's, not the client's.
_TWELFTH_B = [
    ("offplatform_in_passing_intl", (
        [
            "Un client m'a proposé de me payer en liquide quand on se verrait.",
            "La cliente quer me chamar direto e pagar em dinheiro, sem o app.",
            "Me dijo que me paga directo a mi cuenta de Bancolombia para no pagar comisión.",
            "Le paso mi numero de cuenta y me hace la transferencia directamente a mi.",
            "Me pregunto si podemos arreglar el pago entre nosotros sin la comision.",
            "Nous souhaitons lui proposer un CDI dans notre société.",
            "Pour qu'ils me paient directement sur mon numéro.",
        ],
        [
            "Elegí pagar en efectivo en OXXO con la referencia que me dio la página.",
            "El pago se hace directamente en la plataforma cada semana.",
            "Le client m'a payé directement via la plateforme mais le montant n'apparaît pas.",
            "Mon employeur me paie directement par virement chaque mois.",
            "Paguei a assinatura em dinheiro pelo boleto e o Plus não foi ativado.",
            "Quiero que me paguen directamente en pesos y no en dólares.",
            "Eu e o cliente combinamos entre nós um novo prazo de entrega.",
            "Mon entreprise veut me proposer un CDI, dois-je fermer mon compte ici ?",
            "La página directamente no me deja entrar.",
            "Retiré mis ganancias a PayPal directamente.",
        ],
    )),
    ("payment_via_rail", (
        [
            "Il propose de me payer par Orange Money.",
            "Pensé devolverle los 60.000 por Nequi directo.",
            "Je vais lui rembourser 40 € par Lydia.",
            "Je dois envoyer ma facture au client qui me paye par Lydia chaque mois.",
        ],
        [
            "Il faut d'abord payer 10 000 FCFA de frais d'inscription par Orange Money.",
            "Il faut d'abord payer les frais de 1.500 € via Orange Money, je n'ai rien envoyé.",
            "Cancelé la membresía Plus y la plataforma me reembolsó por PayPal.",
        ],
    )),
    ("free_work", (
        [
            "Nos pide que hagamos 3 propuestas 'de prueba' sin cobrar y el que mas le guste lo contrata.",
            "Um cliente pediu pra todos escreverem 2 artigos como teste, sem pagamento.",
            "Il demande un essai de 5 pages sans être payé avant de choisir.",
        ],
        [
            "La prueba pagada de una hora salió bien y me contrató.",
            "Hice la prueba del plan Plus sin pagar nada, ¿se cobra automáticamente después?",
            "Passei no teste de inglês da plataforma e continuo sem receber convites.",
            "J'ai fait un test de retrait sans PayPal, directement vers ma banque.",
        ],
    )),
    ("personal_payment_task", (
        ["Necesita que le compre 4 tarjetas de steam de 100 usd y le mande los codigos."],
        [
            "Mi cliente vende tarjetas de regalo en su tienda y quiere un logo.",
            "Compré una tarjeta de regalo de Fiverr para mi hermano y no sabe cómo canjearla.",
            "The client wants a comprehensive redesign of their gift card landing page.",
        ],
    )),
    ("payment_owed", (
        [
            "Je n'ai pas encore été payé pour la mission.",
            "Le client n'a pas encore payé la facture.",
            "Il m'a écrit « on a pas encore payé votre facture, ce sera fait lundi ».",
        ],
        ["J'ai pas encore payé, ma grande soeur m'a dit d'attendre.", "Je ne l'ai pas encore payé, le freelance attend."],
    )),
]
_add_examples(_TWELFTH_B)

# Twelfth session, check64 (es/pt/fr look-alike negatives): the platform's own products doubted, its own ID check named
# in those languages, the writer's own "não vamos falar de pagamento por fora".
_TWELFTH_C = [
    ("platform_process_topic", (
        [
            "Paguei destaque pra minhas propostas e nada, é golpe?",
            "Me cobraron la membresía sin avisar, es una estafa.",
            "J'ai payé le pass élève et le prof ne répond pas.",
        ],
        ["A freelancer asked me to buy connects for his account with my card."],
    )),
    ("money_sent", (
        ["Paguei R$ 300 por Pix pro recrutador."],
        ["Paguei o destaque da proposta e não recebi nenhum convite."],
    )),
    ("platform_id_verification", (
        ["Fiverr me pide selfie con DNI para verificar mi cuenta.", "Malt demande le Kbis et une pièce d'identité."],
        ["Un supuesto agente de Fiverr me escribió por WhatsApp y me pide selfie con DNI."],
    )),
    ("pay_outside_platform", (
        ["Ele quer pagar por fora pra fugir da taxa."],
        ["Combinamos o WhatsApp só pros arquivos, não vamos falar de pagamento por fora."],
    )),
]
_add_examples(_TWELFTH_C)

# Thirteenth session, check66 (es/pt/fr, money asked for vs money lost): someone claiming to work for the platform,
# requests and conditionals before a rail ("quiere que le pague", "si je paye"), purpose clauses, the monthly plan, a
# checkout on the site, direct employment, accounts opened in the writer's name, purchases with the writer's card,
# unpaid work told in those languages, fake orders/reviews paid per review, the platform's ID check in French, a fee
# request the writer says they complied with, Baridimob, Facebook Messenger, "ir pro zap".
_THIRTEENTH = [
    ("platform_staff_claim", (
        [
            "Um cara no WhatsApp dizendo que era funcionário da Workana me ofereceu destaque.",
            "Una señora diciendo que trabaja para la plataforma me pidió mis datos.",
            "Quelqu'un m'a écrit en disant qu'il travaille pour la plateforme.",
        ],
        [
            "O cliente disse que trabalha na plataforma há anos e sempre pagou direitinho.",
            "Le client dit qu'il travaille avec des freelances depuis longtemps.",
        ],
    )),
    ("payment_via_rail", (
        ["El cliente me dijo que me pagaba por Nequi al terminar.", "Il veut me payer 200 euros par Orange Money."],
        [
            "Quiere que le pague yo los 20 euros del material por Bizum, no lo hice.",
            "Ele quer que eu pague a taxa de cadastro por Pix.",
            "Il m'a proposé un badge si je paye 5 000 FCFA par Orange Money.",
            "Paguei o projeto no checkout do site com Pix e quero saber do reembolso.",
        ],
    )),
    ("money_sent", (
        ["Ya pagué 80 dólares por Binance al reclutador."],
        [
            "Me propuso usar PayPal amigos para que ninguno pague comisión.",
            "Ya pagué el plan mensual y no me llegan invitaciones.",
            "Para el alta les mandé el DNI y el número de afiliación.",
            "Le envié mi currículum y el portafolio ayer.",
        ],
    )),
    ("offplatform_in_passing_intl", (
        ["La empresa me ha ofrecido un contrato laboral directo con ellos.", "Quieren contratarme en plantilla."],
        ["Mi empresa me ofreció un contrato indefinido hace años, trabajo aquí los fines de semana."],
    )),
    ("account_rental", (
        [
            "Me ofreció 300 reales para criar uma conta no meu nome e deixar ele usar.",
            "Quiere que abra una cuenta a mi nombre para que él la use.",
        ],
        ["Quero abrir uma conta no meu nome para começar a trabalhar como freelancer."],
    )),
    ("personal_payment_task", (
        [
            "El cliente me pidió que le comprara un dominio con mi tarjeta y que después me lo devolvía.",
            "Il m'a demandé d'acheter des crédits publicitaires avec ma carte.",
        ],
        ["Le client m'a demandé d'acheter une licence avec sa carte d'entreprise."],
    )),
    ("unpaid_work", (
        [
            "Trois semaines de travail pour rien, il a disparu.",
            "Trabalhei de graça duas semanas e ele sumiu.",
            "Entregué todo y no me pagaron ni un peso.",
        ],
        [
            "Quiere que trabaje gratis una semana como prueba, le dije que no.",
            "Je travaille pour une agence depuis deux ans.",
        ],
    )),
    ("payment_via_rail", (
        ["Il m'a payé 30 000 dinars par Baridimob."],
        ["J'utilise Baridimob pour mes courses."],
    )),
    ("move_chat_off_platform", (
        ["Depois ele pediu pra ir pro zap.", "On a continué sur Facebook Messenger."],
        ["O cliente respondeu pelo chat da plataforma, tudo certo."],
    )),
    ("impersonation", (
        ["Descobri que o portfólio dele é falso, os sites são de outra empresa.", "He had a fake portfolio."],
        ["I am updating my portfolio with new work."],
    )),
    ("review_manipulation", (
        [
            "Il propose des fausses commandes et je le paye 3€ par avis.",
            "Me ofreció reseñas falsas, le pago 4 dólares por reseña.",
        ],
        ["Un cliente me dejó una reseña falsa después de la disputa, ¿la pueden revisar?"],
    )),
    ("platform_id_verification", (
        ["Dans l'app on me demande de vérifier mon identité avec un selfie."],
        ["Un client m'a écrit sur WhatsApp pour vérifier mon identité sur son site."],
    )),
    ("complied_payment_request", (
        [
            "Il m'a demandé 20 000 FCFA de frais de dossier, que j'ai envoyé par Wave.",
            "Me pidió que le comprara una tarjeta de Netflix. Se la compré esa noche.",
        ],
        [
            "Il m'a demandé le fichier source, que j'ai envoyé hier.",
            "Me pide que se las compre yo y luego me las devuelve en un hito.",
        ],
    )),
]
_add_examples(_THIRTEENTH)

# The review of check66's round (helper-104): what the first draft misread, each kept as a test.
_THIRTEENTH_REVIEW = [
    ("complied_payment_request", (
        [],
        [
            "Le client m'a demandé 2 maquettes supplémentaires, que j'ai envoyées hier.",
            "Je demande le remboursement des 49 euros que j'ai payés pour l'abonnement.",
            "Me pidió la tarifa de 30 dólares que le envíe por PayPal, no sé si hacerlo.",
            "Quería que le comprara gift cards, no se las compré.",
        ],
    )),
    ("money_sent", (["Pra que liberassem meu saque paguei 80 reais de taxa no pix."], [])),
    ("payment_via_rail", (
        [
            "O cliente diz que lhe pagou via pix, mas ainda não caiu.",
            "Yo sí le pagué por Zelle al freelancer el adelanto.",
            "Ele quer me pagar sem passar pelo site, direto via pix.",
        ],
        [],
    )),
    ("unpaid_work", (["Trabalhei três semanas de graça e ele sumiu."], ["Eu nunca trabalhei de graça e não vou fazer.", "J'ai jamais travaillé gratuitement."])),
    ("account_rental", ([], ["Creé una cuenta a mi nombre para trabajar como traductora."])),
    ("personal_payment_task", ([], ["O site pede pra eu comprar o plano com meu cartão de crédito."])),
    ("platform_id_verification", ([], ["O recrutador quer verificar minha identidade pelo WhatsApp."])),
    ("move_chat_off_platform", ([], ["Vamos entrar no discord do projeto pra ver o código?", "Pour voir mes anciens travaux il faut aller sur instagram."])),
    ("review_manipulation", ([], ["Un competidor me dejó falsas reseñas y mis ventas de $500 bajaron.", "The client pays $40 per review of pull requests."])),
    ("platform_staff_claim", ([], ["Mi cliente dice que es gerente de la plataforma de ecommerce de su empresa.", "O cliente disse que trabalha com a Workana faz tempo."])),
    ("impersonation", ([], ["Je vous envoie mon portfolio en copie.", "El cliente dice que mi portafolio es falso."])),
    ("offplatform_in_passing_intl", ([], ["Me han ofrecido un contrato de trabajo directo en una empresa de mi ciudad."])),
]
_add_examples(_THIRTEENTH_REVIEW)

# Thirteenth session, check68 (seventeen other languages): payment outside told directly, outside the platform or to
# spare its fee; personal data asked for in Greek/Dutch/Czech; cheques in Italian/Romanian/Czech; account rental in
# Indonesian/Russian; free test work and activation/certification fees in other languages.
_THIRTEENTH_B = [
    ("offplatform_direct_intl", (
        [
            "Der Kunde möchte mich ab jetzt direkt per Überweisung bezahlen.",
            "Клиент хочет платить напрямую на карту.",
            "Müşteri ödemeyi doğrudan hesabıma yapmak istiyor.",
            "Il cliente vuole pagare con bonifico, senza le commissioni della piattaforma.",
            "Khách muốn chuyển khoản trực tiếp cho mình.",
            "Ο πελάτης θέλει να πληρώνει απευθείας στον λογαριασμό μου.",
            "Klient chce platit napřímo převodem.",
            "Client ne Fiverr ki jagah seedha mere account me payment bhej diya.",
            "Mteja anataka kunilipa moja kwa moja kwa M-Pesa.",
            "Zapłacił mi poza platformą.",
        ],
        [
            "Die Auszahlung direkt auf mein Konto dauert zu lange.",
            "Ich habe direkt nach der Zahlung eine Bewertung bekommen.",
            "Payoneer'a direkt çektim ama görünmüyor.",
            "Wie hoch sind die Gebühren für eine Auszahlung?",
        ],
    )),
    ("personal_data_request", (
        [
            "Μου ζήτησε ΑΦΜ, ΑΜΚΑ και φωτογραφία ταυτότητας πριν την προσφορά.",
            "De klant vraagt een kopie van mijn paspoort en mijn BSN.",
        ],
        ["Ik heb mijn paspoort zelf geüpload voor de verificatie van het platform? Nee, ik vraag het alleen."],
    )),
    ("check_payment", (
        ["Mi ha mandato un assegno da 2.000 euro.", "Am primit un cec de 3.000 USD prin curier.", "Chce mi zaplatit šekem."],
        ["Ricevo l'assegno unico per i figli.", "Cena je 500 SEK."],
    )),
    ("account_rental", (
        ["Ada yang mau sewa akun saya 1 juta per bulan.", "Предлагают аренду моего аккаунта за 50 долларов."],
        ["Akun saya diblokir setelah login."],
    )),
    ("free_work", (
        ["Клієнт хоче тестове завдання на 10 сторінок безкоштовно.", "Vrea 3 concepte finalizate si nu plateste nimic."],
        ["Testul de engleza al platformei a mers bine."],
    )),
    ("intl_fee", (
        ["Voor het activeren moet ik activatiekosten betalen.", "Η πιστοποίηση της εταιρείας έχει κόστος 90€."],
        ["De kosten voor de verzending zijn hoog."],
    )),
]
_add_examples(_THIRTEENTH_B)

# The review of check68's round (helper-107): what the first draft misread, each kept as a test.
_THIRTEENTH_B_REVIEW = [
    ("offplatform_direct_intl", (
        ["Client ne bola commission bachane ke liye payment seedha bank mein bhejega."],
        [
            "Как связаться напрямую с поддержкой платформы?",
            "Maine payout seedha bank mein liya, ab account hold hai.",
            "Il cliente ha pagato direttamente sulla piattaforma ma i soldi non sono arrivati.",
            "Płacę bezpośrednio kartą na platformie za zamówienie, ale płatność jest odrzucana.",
            "Ödeme doğrudan hesabıma geçmedi, çekim talebim bekliyor.",
            "Ich arbeite direkt für eine Agentur, die mich jeden Monat bezahlt.",
            "Il primo mi ha pagato tramite la piattaforma, il secondo no.",
            "Meine Kollegin Iris hat mir direkt geschrieben, dass mein Auftrag storniert wurde.",
            "Posso ricevere il pagamento su PayPal senza commissioni?",
            "Перевод на карту без комиссии возможен?",
        ],
    )),
    ("free_work", ([], ["Ich habe den Probemonat kostenlos gestartet und jetzt wurde Geld abgebucht.", "Ho fatto il test di inglese gratis sulla piattaforma."])),
    ("check_payment", ([], ["Ricevo l'assegno di inclusione, posso lavorare qui?", "Nemám žádné šeky."])),
    ("personal_data_request", ([], ["Ik wil mijn IBAN wijzigen in mijn profiel.", "Ik vroeg me af waarom mijn paspoort is afgewezen."])),
    ("intl_fee", ([], ["Ολοκλήρωσα την εγγραφή μου, το τέλος του μήνα πληρώνομαι.", "De kosten voor de inschrijving bij de KvK zijn aftrekbaar."])),
    ("account_rental", ([], ["Saya lupa password, tidak bisa pinjam akun teman untuk login."])),
]
_add_examples(_THIRTEENTH_B_REVIEW)

# Fourteenth session, check70 (es/pt/fr, docs/rules.md "check70 review").
_FOURTEENTH = [
    ("platform_id_verification", (
        [
            "Al querer retirar me salió un aviso en la app: Verificación de identidad, subir foto del INE.",
            'Apareceu no meu painel um aviso "Verifique sua identidade para continuar recebendo".',
        ],
        [
            "El cliente me pide verificación de identidad por WhatsApp antes del contrato.",
            "Un reclutador quiere la verificación de identidad en su portal.",
            "Un tipo me pidió verificación de identidad antes de la entrevista, ¿es estafa?",
            "O comprador pediu verificação de identidade antes de fechar o pedido, é golpe?",
            "El cliente me pidió instalar una app para verificación de identidad y pagar 30 dólares.",
        ],
    )),
    ("platform_process_topic", (
        ["La mise en avant de mon profil n'a rien donné."],
        ['He asked me to order his gig to "boost" it.', "A stranger offered me 5 boosts for my gig for $30, is this a scam?"],
    )),
    ("payment_via_rail", (
        [
            "Il m'a payé par Wave hier soir.",
            "J'ai payé 250 € en Transcash.",
            "Le pagué en OXXO a su cuenta personal.",
            "Il a payé par Orange Money.",
            "Acordamos 300 dólares, a pagar por Nequi cuando entregue.",
            "Budget de 200 000 FCFA, à payer par Orange Money à la fin du projet.",
            "Tengo que abrir una cuenta en PayPal y cobrar por PayPal el resto.",
        ],
        [
            "We had a wave of orders this Friday.",
            "Para testear tengo que crear cuenta en su web y depositar mínimo 50 USDT.",
            "Ils demandent 150 000 FCFA de frais de dossier, à payer par Orange Money.",
            "Le faux client m'a demandé de payer l'assurance par Neosurf, j'ai refusé.",
            "Il faut signer le contrat et payer par Transcash les frais de matériel.",
            "Packed 10 pcs of the product for the client.",
            "My employer pays me via Wave payroll, do I report it on the tax form?",
        ],
    )),
    ("offplatform_in_passing_intl", (
        [
            "Ele perguntou se pode pagar a segunda parte do projeto direto no meu pix.",
            "A outra metade me mandou no pix direto.",
            "Me quiere pagar directo a mi cuenta de Nequi.",
            "Il veut m'envoyer le bonus directement sur mon Wave.",
        ],
        [
            "La plataforma me paga directo a mi cuenta cada semana.",
            "Paguei a assinatura direto no cartão.",
            "O saque caiu direto na minha conta.",
            "O valor foi transferido direto na minha conta da plataforma.",
            "Malt m'a viré directement sur mon compte le paiement de la mission.",
            "ComeUp m'a versé mes gains directement sur mon Wave.",
        ],
    )),
    ("overpayment", (
        ["Se equivocó con un cero y ahora quiere que le devuelva la diferencia."],
        [
            "Me equivoqué con un cero en el presupuesto, ya lo corregí.",
            "El cliente se equivocó con un cero al crear el contrato, ¿cómo lo devuelvo?",
            "El banco se equivocó con un cero y me devolvió 10 veces la comisión.",
            "Workana se equivocó con un cero en mi retiro y ya me lo devolvieron.",
        ],
    )),
    ("platform_billing_question", (
        [],
        [
            "Pagué 3.000 pesos con la referencia que me dio la plataforma, pero la página era falsa.",
            "No quiere fondear el hito, prefiere pagarme por transferencia.",
            "Me pasó una referencia de pago por WhatsApp.",
            "Para fondear el hito pagué en OXXO con la referencia que me mandó el cliente por WhatsApp.",
            "Paguei o boleto que me deu o site da vaga, 200 reais.",
        ],
    )),
    ("platform_support_topic", (
        ["Por que cobraram 20% de taxa?", "Pensé que la comisión era del 10 %.", "Achei que a taxa era 10%."],
        [
            "Me pidió una taxa de liberação de R$ 150.",
            "Me ofreció una comisión de 10% por recibir pagos en mi cuenta y reenviarlos por Western Union.",
            "Vous gardez une commission de 10% et vous renvoyez le reste par virement.",
            "Pourquoi le recruteur prend 20 % de frais avant même de m'envoyer le contrat ?",
            "Pensei que a taxa era de verdade, paguei R$ 90 pro suposto recrutador.",
        ],
    )),
]
_add_examples(_FOURTEENTH)

# Fifteenth session (check74 round, es/pt/fr; "almost" from check68).
_FIFTEENTH = [
    ("account_rental", (
        [
            "Um cara quer alugar minha conta do Workana por 300 reais.",
            "Me ofrecen alquilar mi cuenta de Upwork.",
            "Me ofrecieron alquilar cuentas de Upwork verificadas por 50 dólares al mes.",
            "Um cara no Telegram quer alugar contas de freelancers.",
        ],
        ["Minha conta foi restringida por 'compartilhar contato' numa proposta.", "Tenho que prestar contas ao meu contador."],
    )),
    ("offplatform_in_passing_intl", (
        ["Il m'a demandé mon IBAN pour me verser directement une prime de fin d'année."],
        [
            "La plateforme me verse directement mes gains chaque semaine.",
            "Mon employeur me verse directement mon salaire.",
            "Codeur m'a dit qu'on me versera directement le remboursement des frais de service.",
            "Le client souhaite me verser directement un pourboire via la plateforme.",
            "Il veut me verser directement un bonus depuis son tableau de bord ?",
        ],
    )),
    ("money_sent", (
        ["On a convenu d'un paiement direct et je lui ai versé 600 € d'acompte.", "Je lui ai viré un acompte hier."],
        [
            "Je ne lui ai jamais versé 600 €.",
            "Je lui ai envoyé mon CV et mon portfolio.",
            "J'ai été débité deux fois pour l'abonnement : je leur ai payé 49 € le 3 mars.",
            "Je lui ai payé 300 € via le contrat Malt.",
            "Je suis client : je lui ai versé un acompte de 30 % via le jalon sur Malt.",
        ],
    )),
    ("overpayment", (
        [
            "Me pagó $150.000 en vez de $15.000 y me pidió que le devuelva la diferencia a otra cuenta.",
            "Quiere que yo le devuelva la diferencia por Nequi.",
            "O cliente depositou 2000 a mais no meu Pix e nós transferimos a diferença de volta pra conta dele.",
        ],
        [
            "Me cobraron la comisión dos veces, quiero que me devuelvan la diferencia.",
            "Workana me cobró 20% en vez de 10%, ¿pueden devolverme la diferencia?",
            "Malt m'a facturé deux fois, pouvez-vous me rembourser la différence ?",
        ],
    )),
    ("intl_money_sent", (
        [
            "Я заплатила 1200 грн за навчання.",
            # "almost" before a completed verb is often "almost all of it": not denied (helper-117)
            "Я уже почти оплатил всю сумму за курс, осталось 50 долларов.",
        ],
        ["Я не заплатила нічого.", "Я вже майже заплатила, але чоловік відмовив.", "Я почти перевёл деньги, но банк заблокировал."],
    )),
]
_add_examples(_FIFTEENTH)

# Fifteenth session, check73 round (other languages; check75 written blind to measure it).
_FIFTEENTH_INTL = [
    ("intl_money_sent", (
        [
            "Am trimis 900 lei pe Revolut la o persoana fizica.",
            "Am platit taxa de 200 lei.",
            "Переказала 1200 грн, після цього мене видалили з групи.",
            "Zaplatila jsem 500 Kč za registraci.",
            "Převedl jsem 4 990 Kč na jejich účet.",
            "Πλήρωσα 150€ εγγύηση.",
            "Nilituma 3,500 kwa M-Pesa.",
            "Nililipa ada ya usajili.",
            "7awelthom Vodafone Cash 3ala rakam 010.",
            "Dafa3t 500 geneh lel client bara el site.",
            "I-am trimis 200 de lei pe Revolut.",
            "Nimeshalipa.",
            "Ik kreeg een Tikkie van €49,95 en heb die betaald.",
        ],
        [
            "Am trimis CV-ul si portofoliul clientului.",
            "N-am platit nimic.",
            "Nu l-am depus inca.",
            "Poslal jsem mu portfolio a CV.",
            "Έστειλα το βιογραφικό μου.",
            "Δεν πλήρωσα τίποτα.",
            "Nilituma CV yangu jana.",
            "Ik heb nog niks betaald.",
            "Ik heb de opdracht afgerond maar ben niet betaald.",
            # helper-118's review
            "7awelt a3mel login bas mesh nafe3.",
            "Mesh 7awelt 7aga lessa.",
            "Κατέθεσα αίτηση ανάληψης πριν από τρεις μέρες.",
            "Nimetuma CV yangu 2 mara.",
            "Am transferat fișierele clientului pe Drive.",
            "Клієнт оплатив замовлення через платформу.",
            "Převedl jsem peníze z platformy na svůj účet.",
            "Ik heb niets betaald.",
            "Ik heb 500 euro betaald gekregen voor de opdracht.",
            "Am plătit comisionul platformei de două ori.",
            "N'am plătit nimic.",
        ],
    )),
    ("offplatform_direct_intl", (
        [
            "Vrea sa-mi trimita banii direct pe Revolut, sa nu mai dam comision la platforma.",
            "Tukakubaliana anilipe moja kwa moja kwa M-Pesa badala ya platform.",
            "Zbytek mi dá radši hotově v den svatby, ať nemusí platit poplatek.",
            "Mteja alinilipa nje ya platform.",
        ],
        [
            "Platforma mi plateste direct pe card castigurile.",
            "Upwork ananilipa kila wiki kupitia platform.",
            "Můžu si vybrat peníze v hotovosti z bankomatu?",
            # helper-118's review
            "Mteja alipenda kazi yangu moja kwa moja.",
            "Hotové logo jsem poslal klientovi napřímo e-mailem.",
            "Am plătit abonamentul direct pe telefon, din aplicație.",
            "Cum fac transferul ca să nu mai dăm comision băncii?",
            "Vreau ca platforma să-mi trimită banii direct pe IBAN.",
        ],
    )),
]
_add_examples(_FIFTEENTH_INTL)

# Fifteenth session, check77 round (es/pt/fr, payment outside told indirectly; look-alikes).
_FIFTEENTH_C77 = [
    ("pay_outside_platform", (
        ["El cliente me propuso pagarme por fuera."],
        [
            "Já adianto: não paguei nem recebi nada fora da plataforma, foi tudo aqui dentro.",
            "NO, no le pagué nada por fuera ni le di mis datos.",
        ],
    )),
    # "nada" after the counterparty's verb is what he never paid for work outside (helper-121): still an incident
    ("pay_outside_platform", (["No me pagó nada por fuera y desapareció.", "Ele não me pagou nada por fora e sumiu."], [])),
    ("scam_messenger", (
        [
            "Me llegó un mensaje por WhatsApp de un supuesto reclutador.",
            # helper-121's review: the cue does not cross a comma or "y"
            "No me llegó el pago, por WhatsApp el 'cliente' me dice que pague un seguro.",
            "El pago no llegó y por WhatsApp me pide una tarifa.",
        ],
        [
            "No me llegó por WhatsApp ni por correo, es dentro del panel.",
            "No me llegó el código por WhatsApp.",
        ],
    )),
    ("personal_data_request", (
        [
            "Me llegó un aviso por WhatsApp pidiéndome foto del DNI.",
            "El cliente me pidió foto del DNI y el número de cuenta.",
            "Recebi um alerta no meu painel de um contratante pedindo meu CPF e RG.",
            "J'ai reçu une notification dans mon compte d'une entreprise qui demande mon passeport et mon RIB.",
        ],
        ["Me salió un aviso dentro de mi cuenta pidiéndome foto del DNI por ambos lados y una selfie."],
    )),
    ("payment_via_rail", (
        [
            "Il me payait chaque mois par Wave, 250 000 FCFA.",
            "J'ai déposé 50 000 FCFA par Wave en deux fois.",
            "Ya le había adelantado 200 dólares por Zelle a un tipo que decía ser reclutador.",
        ],
        [
            "Adelante, le mandé la propuesta por el chat.",
            "Je voudrais déposer une plainte.",
            # helper-121's review
            "Le dije que siga adelante con Mercado Pago como pasarela de su tienda.",
            "Au lieu de passer par le site, il veut que je dépose les fichiers sur Google Drive.",
            "J'ai voulu déposer 20 000 FCFA par Wave sur mon compte ComeUp.",
            "Avant je payais mon abonnement Malt par PayPal.",
        ],
    )),
    ("money_sent", (
        ["Le yapeé los 80 al número que me dio.", "J'ai déposé 50 000 FCFA par Wave en deux fois."],
        [
            "Je dois déposer mon dossier avant vendredi.",
            "J'ai déposé une plainte pour les 50 000 FCFA qu'il me doit.",
            "J'ai déposé 20 000 FCFA sur mon compte ComeUp par Wave.",
            "Ya he adelantado 80% del proyecto.",
            "Cuando le yapee el adelanto me avisa.",
        ],
    )),
    ("offplatform_in_passing_intl", (
        ["« On s'arrange entre nous, ce sera plus simple, je vous fais un virement à réception de facture »."],
        [
            "Prefiero arreglarlo entre nosotros sin abrir disputa.",
            "On s'arrange entre nous pour la date de livraison.",
            "On a pu s'arranger entre nous pour la date, le paiement passera par le jalon Malt.",
            "Combinamos entre a gente o prazo, e ele pagou pela plataforma.",
        ],
    )),
    ("personal_payment_task", (
        ["Me escribió muy urgido que le comprara 4 tarjetas de Google Play de 50 dólares."],
        ["Compré una tarjeta de Google Play para pagar la suscripción de la app de la plataforma."],
    )),
]
_add_examples(_FIFTEENTH_C77)


# Sixteenth session, withdrawal-method questions (docs/rules.md, "payout questions"): the writer's own earnings paid out
# by the platform by check, wire or another method is neither; a counterparty offering payouts by check still counts.
_SIXTEENTH_PAYOUT = [
    ("pay_outside_platform", (
        [
            "The client offered to pay me by check instead of through Upwork.",
            "He wants me to receive payments via PayPal instead of the platform.",
            "My client said he will transfer my payment via Wise instead of Upwork next time.",
            "He offered to pay me via Zelle instead, to skip the fees.",
        ],
        [
            "Is it possible to get my payouts by paper check instead of PayPal?",
            "Does the platform offer payment by cheque for withdrawals in Canada?",
            "Can I withdraw my balance via Payoneer instead of PayPal?",
            "Can my payouts go to Wise instead of my bank? PayPal is blocked in my country.",
            "I would like to switch to direct deposit instead of PayPal for my withdrawals.",
            "Can I get my payout via wire transfer instead of PayPal, it takes forever",
            "Do you offer payment by wire transfer for withdrawals to Nigeria?",
        ],
    )),
    ("check_payment", (
        [
            "He offered payouts by check every week if I reship packages from home.",
            "I withdrew the money from his check and sent it back by Zelle.",
            "He mailed me a cashier's check for $3,200.",
        ],
        [
            "Is it possible to get my payouts by paper check instead of PayPal?",
            "Can I withdraw my earnings by check?",
            "Does the platform offer payment by cheque for withdrawals in Canada?",
        ],
    )),
    ("payment_via_rail", (
        ["The client offered payment via Payoneer directly to avoid the fee."],
        ["Does Upwork offer payment via Payoneer in Pakistan?"],
    )),
]
_add_examples(_SIXTEENTH_PAYOUT)
# helper-125's review of the first draft: a counterparty paying "my payouts/earnings" outside, a cue that reached past
# the clause, offers made by someone met "on Upwork"; and payout questions now read as such
_SIXTEENTH_PAYOUT_REVIEW = [
    ("check_payment", (
        [
            "The client will mail my payouts as a paper check every two weeks.",
            "The buyer said he'd send my payout by money order.",
            "My client wants to pay my earnings by check from now on.",
            "He sent my earnings in a cheque for $2,900 and asked me to deposit it.",
            "He told me to cash out the check at my bank and send $1,500 back through Zelle.",
        ],
        ["Does Fiverr pay by check?"],
    )),
    ("pay_outside_platform", (
        [
            "He told me to withdraw it via Bitcoin ATM instead of my bank.",
            "The client paid outside the platform for all payouts after the first milestone.",
            "The client offered to send my earnings via Zelle instead.",
            "I have been receiving my earnings through PayPal instead of Upwork for 3 months.",
            "He asked to pay me outside Upwork because of the fees on payouts.",
            "A client I met on Upwork offered to pay me through his company's portal.",
            "The guy on Upwork offered to pay me by card directly.",
            "The client asked: can I pay you via Wise instead of Upwork?",
        ],
        [],
    )),
    ("withdrawal_method_question", (
        [
            "Does Fiverr pay by check?",
            "Can I use Wise instead of Payoneer to withdraw?",
            "O Fiverr oferece pagamento por Pix?",
            "Posso sacar meus ganhos via Wise em vez do PayPal?",
        ],
        ["Um cliente do Fiverr ofereceu pagamento por Pix."],
    )),
]
_add_examples(_SIXTEENTH_PAYOUT_REVIEW)

# Sixteenth session, check80 (es/pt/fr, money already sent; docs/rules.md, "check80 review").
_SIXTEENTH_C80 = [
    ("money_sent", (
        [
            "O cara pediu uma caução, já tinha mandado os R$ 150 pelo pix antes de perceber.",
            "Ya le había mandado los 80 dólares.",
            "J'avais déjà réglé quand j'ai vu des avis sur un forum.",
            "Efetuei a transferência para o IBAN indicado no dia 3.",
            "Le hice el depósito en Banrural a nombre de una persona particular.",
            "Primero puse 20 mil, después 60 mil por mercado pago.",
            "Me convenceu a colocar dinheiro, primeiro 500 reais, depois 3 mil.",
            "Para seguir tuve que recargar 200 USDT por binance.",
            "Il m'a dit de lui renvoyer 50 000. J'ai renvoyé.",
            "Compré las tarjetas en el Walmart y le mandé las fotos.",
            "Lo pagué por Bizum al número que me dieron.",
        ],
        [
            "J'avais déjà réglé le problème avec le support.",
            "Efetuei o pagamento da assinatura do plano Plus.",
            "Tuve que pagar la comisión de la plataforma.",
        ],
    )),
    ("upfront_fee", (
        ["Preciso deixar R$ 200 de caução que ele devolve no fim do projeto.", "Me pidió una fianza de 50 dólares."],
        ["Please use caution with clients asking for Telegram."],
    )),
    ("account_rental", (
        [
            "Me ofrece 100 USD al mes por dejarle usar mi cuenta.",
            "Quiere que le preste mi cuenta.",
            "Il m'a proposé de lui laisser utiliser mon compte.",
        ],
        ["Quiero dejar mi cuenta bancaria como método de retiro."],
    )),
    ("payment_via_rail", (
        ["O cliente pediu e eu fiz o pix de R$ 200."],
        ["Eu NÃO fiz o pix, falei que só trabalho pela plataforma."],
    )),
]
_add_examples(_SIXTEENTH_C80)
# helper-126's review of check80's first draft: 68 sentences the draft read as money sent (a file sent, a quote, the client's
# own payment, the platform's fees, withdrawals, budgets, "tuve que recargar la página", business cards…): none is money_sent;
# denials and the writer's "hay que hacer el pago" keep payment_via_rail; "prête" (ready) and streaming accounts are not rentals
_C80_RAIL_KEPT = [
    "El cliente dice que hay que hacer el pago por PayPal para evitar la comisión.",
    "Tengo que hacer el cobro por PayPal, dice el cliente.",
    "Nunca me mandó el dinero por Western Union como prometió.",
    "O cliente não me mandou o pix que prometeu.",
    "Tive problema no pagamento por Pix que o cliente fez.",
    "Recebi no PayPal pagamentos de clientes que conheci aqui.",
    "No pagamento via Pix, o cliente errou o valor.",
    "E no pagamento via Pix ele mandou o valor errado.",
    "No hice el bizum.",
]
_SIXTEENTH_C80_REVIEW = [
    ("money_sent", (
        [],
        [
            *_C80_RAIL_KEPT,
            "El cliente ya había pagado, pero ahora abrió una disputa en Workana.",
            "O cliente já tinha mandado R$ 500 pelo Pix antes de eu começar.",
            "O cliente já tinha pago, mas abriu uma disputa na plataforma.",
            "Eu já tinha enviado, mas o cliente diz que não recebeu o arquivo.",
            "J'avais déjà envoyé, mais le client dit qu'il n'a rien reçu.",
            "Le client me redemande le fichier. J'avais envoyé.",
            "Ya le había enviado el presupuesto de 300 dólares cuando me pidió hablar por WhatsApp.",
            "Eu já tinha enviado o orçamento de R$ 800 quando o cliente pediu para fechar pelo WhatsApp.",
            "J'avais envoyé un devis de 500 € et le client ne répond plus.",
            "Ya le había enviado mi propuesta con la tarifa por hora y no contestó.",
            "J'avais déjà payé les frais de service de la plateforme.",
            "J'avais déjà payé mes frais d'abonnement Malt.",
            "Ya había pagado la cuota mensual de Workana y no puedo enviar propuestas.",
            "Ya había pagado la tarifa de Workana Plus y me la cobraron de nuevo.",
            "El cliente ya había depositado 200 dólares en el hito y luego canceló.",
            "O cliente já tinha depositado R$ 500 no projeto e depois cancelou.",
            "Realizei a transferência do meu saldo para minha conta bancária, mas o dinheiro não caiu.",
            "Efetuei a transferência para o meu Payoneer e ainda não chegou.",
            "Realicé la transferencia de mis ganancias a mi cuenta bancaria y no llega.",
            "Realicé el pago anual de Workana Pro y me cobraron dos veces.",
            "Realizei o pagamento do boleto da 99Freelas e a conta continua bloqueada.",
            "Efetuei o pagamento do imposto DAS deste mês, preciso da nota fiscal.",
            "Realicé el pago del hito en Workana y el freelancer desapareció.",
            "Puse 50 dólares de presupuesto en el proyecto y nadie se postuló.",
            "Coloquei 500 reais de orçamento no projeto e ninguém mandou proposta.",
            "Puse 15 dólares por hora en mi perfil.",
            "J'ai mis 500 € de budget dans l'annonce.",
            "Metí 3 mil palabras en el artículo y el cliente no pagó.",
            "Me convenció de mandar el portafolio con 3 muestras.",
            "O cliente me convenceu a enviar o trabalho em 3 partes.",
            "Tuve que recargar la página varias veces.",
            "J'ai dû recharger la page trois fois.",
            "J'ai dû envoyer le fichier trois fois.",
            "Tuve que enviar mi DNI para verificar la cuenta.",
            "Tive que enviar o arquivo de novo porque o cliente não recebeu.",
            "Tuve que mandar el trabajo de nuevo.",
            "Tuve que comprar una licencia de Adobe para el proyecto.",
            "J'ai dû acheter un nouvel ordinateur.",
            "Tive que pagar a taxa de saque de novo.",
            "J'ai dû payer des frais de retrait.",
            "J'ai dû payer la TVA sur ma facture Malt.",
            "Tuve que pagar la tarifa de servicio de Workana dos veces.",
            "Tuve que comprar más conexiones para postularme.",
            "Le client dit qu'il n'a pas reçu le fichier. J'ai renvoyé, toujours rien.",
            "J'ai acheté des cartes de visite et envoyé les photos au client.",
            "Comprei cartões de visita e enviei as fotos para o cliente aprovar.",
            "J'ai acheté une carte graphique sur Amazon pour le projet.",
            "Compré una tarjeta gráfica en Amazon para renderizar.",
            "Le client paiera par virement sur Malt.",
            "Le client me paiera par virement via la plateforme une fois la mission validée.",
            "La maquette est prête. Mon compte affiche une erreur depuis hier.",
            "Je suis prête, mon profil est complet et vérifié.",
            "Les vidéos sont prêtes, mon compte Malt ne permet pas de les envoyer.",
            "Mi hermano me pidió dejarle usar mi cuenta de Netflix.",
            "Le presté mi cuenta de Canva Pro a un cliente para el diseño.",
            "El cliente pidió el archivo que ya le había enviado.",
            "Me pidió el archivo otra vez, que ya le había enviado.",
            "Ya le había enviado el trabajo y el pago acordado era de 50 dólares.",
            "Já tinha enviado o logo e o pagamento de R$ 300 ficou pendente.",
        ],
    )),
    ("payment_via_rail", (_C80_RAIL_KEPT, [])),
    ("account_rental", (
        [],
        [
            "La maquette est prête. Mon compte affiche une erreur depuis hier.",
            "Je suis prête, mon profil est complet et vérifié.",
            "Les vidéos sont prêtes, mon compte Malt ne permet pas de les envoyer.",
            "Mi hermano me pidió dejarle usar mi cuenta de Netflix.",
            "Le presté mi cuenta de Canva Pro a un cliente para el diseño.",
        ],
    )),
]
_add_examples(_SIXTEENTH_C80_REVIEW)

# Sixteenth session, check81 (seventeen other languages; docs/rules.md, "check81 review").
_SIXTEENTH_C81 = [
    ("offplatform_direct_intl", (
        [
            "mi-a scris că e mai simplu să-mi trimită 150 lei pe Revolut decât să facă contract nou",
            "Хочу просто перевести ему 1 500 ₽ по СБП, а не открывать новый контракт с комиссией.",
            "anasema itakuwa rahisi akinitumia balance kwa M-Pesa moja kwa moja badala ya kupitia hapa",
            "napsal, že mi to pošle na Revolut, ať neřešíme novou smlouvu a poplatky",
            "Sonra 'komisyon vermeyelim, IBAN'ına EFT yaparım' dedi.",
            "قالي خلينا برا الموقع عشان العمولة وهبعتلك على انستاباي",
            "Ο πελάτης είπε ότι για να γλιτώσουμε την προμήθεια θα με πληρώσει με IRIS.",
        ],
        [],
    )),
    ("intl_money_sent", (
        [
            "Nikamtumia Ksh 4,500 kwa M-Pesa akasema ataniletea login jioni.",
            "Binili ko gamit Maya ang Steam gift cards at sinend ko yung codes.",
        ],
        [],
    )),
    ("personal_data_request", (["Klient chce rodné číslo, číslo občanky a datum narození ještě před nabídkou."], [])),
]
_add_examples(_SIXTEENTH_C81)
# helper-130's review of check81's first draft: payouts to the writer's own Revolut/M-Pesa/GCash "directly", "-tumia" and
# "هبعتلك" for messages and files, "rather than a new contract" said of a payment ON the platform, complaints about the
# platform's or the bank's fee, a bank or form asking for "rodné číslo", a phone top-up: none of them fires
_SIXTEENTH_C81_REVIEW = [
    ("offplatform_direct_intl", (
        [],
        [
            "Auszahlung verspätet || Mein Geld geht direkt auf mein Revolut-Konto, aber seit zwei Wochen ist nichts angekommen.",
            "Câștigurile mele vin direct în contul meu Revolut, dar acum întârzie de o săptămână.",
            "Moje środki idą bezpośrednio na Revolut, od tygodnia nic nie dotarło.",
            "Pesa zangu zinaenda moja kwa moja kwenye M-Pesa lakini wiki hii hazijafika.",
            "Yung kita ko direkta sa GCash ko pero hindi pa dumating hanggang ngayon.",
            "Mera earning seedha Easypaisa account mein aata hai, is baar nahi aaya.",
            "Mera balance seedha JazzCash mein aata hai lekin abhi tak nahi aaya.",
            "الأرباح بتنزل مباشرة على فودافون كاش بس المرة دي اتأخرت",
            "الفلوس بتوصل مباشرة على انستاباي بس المرة دي ما وصلتش",
            "Деньги приходят напрямую по СБП, но в этот раз ничего не пришло.",
            "Ich habe mein Revolut direkt mit meinem Profil verknüpft, aber die Verifizierung hängt.",
            "Mteja alinitumia ujumbe moja kwa moja akiuliza kuhusu mradi.",
            "Mteja akanitumia faili moja kwa moja, je ni sawa?",
            "Anataka kunitumia mkataba moja kwa moja, nifanye nini?",
            "Nimemtumia mteja kazi yote, sasa hajalipa kwa wiki 2.",
            "Nilimtumia ujumbe mara 3 lakini hajajibu.",
            "Tulimtumia faili 5 za muundo jana.",
            "العميل قال هبعتلك الملفات مباشرة على الإيميل",
            "هبعتلك التفاصيل برا الموقع على الواتساب",
            "العميل قالي ابعتلك الشغل مباشرة ولا على الموقع؟",
            "Der Kunde will statt einen neuen Vertrag zu öffnen einen Meilenstein im bestehenden Vertrag hinzufügen und dort bezahlen.",
            "Клиент хочет оплатить дополнительную работу в рамках текущего заказа, а не открывать новый контракт.",
            "Клиент заплатит бонусом в текущем контракте, а не создавать новый заказ.",
            "Klient chce zapłacić w ramach obecnej umowy zamiast nowego zlecenia.",
            "Müşteri yeni sipariş açmadan mevcut siparişe ekstra ekleyip ödeme yapacak.",
            "Müşteri yeni teklif yerine mevcut siparişe ek ödeme gönderdi.",
            "Invece di aprire un nuovo contratto, il cliente pagherà un bonus sul contratto attuale.",
            "In plaats van een nieuw contract betaalt de klant een bonus via het bestaande contract.",
            "Ο πελάτης είπε να μην ανοίξουμε νέα σύμβαση, θα πληρώσει bonus στην υπάρχουσα.",
            "Daripada bikin kontrak baru, klien bayar bonus di kontrak yang sama.",
            "Klient navrhl, ať neřešíme novou smlouvu a zaplatí bonus v rámci stávající zakázky.",
            "Klient chce, abychom řešili smlouvu a platbu přes podporu.",
            "Decât să facem un contract nou, clientul a plătit un bonus prin Upwork.",
            "Clientul vrea să plătească un bonus în contractul actual decât să facă un contract nou.",
            "Podpora mi napsala, ať řeším poplatky za platbu se svou bankou.",
            "Ödememden bu kadar komisyon kesilmesin diye ne yapabilirim?",
            "Fiverr komisyonu çok yüksek, ödemeden %20 komisyon kesilmesin istiyorum.",
            "اتخصم مني كتير عشان العمولة لما العميل دفع",
            "أنا زعلان عشان العمولة عالية والدفع اتأخر",
            "هل في طريقة تحويل بدون عمولة للبنك؟",
            "Πώς να γλιτώσουμε την προμήθεια της τράπεζας στην πληρωμή με κάρτα;",
            "Ο πελάτης θέλει να πληρώσει με IBAN για να γλιτώσουμε την προμήθεια της κάρτας.",
            "Ověření identity: aplikace po mně chce datum narození a číslo OP.",
            "Banka po mně chce rodné číslo kvůli převodu výdělku.",
            "Daňový formulář chce rodné číslo a adresu.",
            "Banka chce číslo operace pro dohledání platby.",
            "Podpora chce číslo objednávky a číslo pasu kvůli ověření.",
            "Binili ko yung load para sa phone ko para matanggap ang OTP.",
            "May nag-message na taga-Upwork daw, sinend ko yung code na dumating sa phone ko.",
            "Binili ko ang Connects gamit ang GCash pero hindi pumasok.",
        ],
    )),
    ("personal_data_request", (
        [],
        [
            "Ověření identity: aplikace po mně chce datum narození a číslo OP.",
            "Banka po mně chce rodné číslo kvůli převodu výdělku.",
            "Daňový formulář chce rodné číslo a adresu.",
            "Banka chce číslo operace pro dohledání platby.",
            "Podpora chce číslo objednávky a číslo pasu kvůli ověření.",
        ],
    )),
    ("intl_money_sent", (
        [],
        [
            "Nilimtumia ujumbe mara 3 lakini hajajibu.",
            "Tulimtumia faili 5 za muundo jana.",
            "Binili ko yung load para sa phone ko para matanggap ang OTP.",
            "May nag-message na taga-Upwork daw, sinend ko yung code na dumating sa phone ko.",
            "Binili ko ang Connects gamit ang GCash pero hindi pumasok.",
        ],
    )),
]
_add_examples(_SIXTEENTH_C81_REVIEW)

# check83 (seventeenth session, hard English cases) and its review (helper-135): a dot inside an e-mail address is not
# a sentence end; an accusation the writer denies is no payment outside; a payment "to avoid the platform's fees" sent
# somewhere outside is; "must unlock … by depositing" is an obligation, not a payment.
_SEVENTEENTH_C83 = [
    ("money_sent", (
        ["I paid it to talentsuccess.badge@proton.me by PayPal friends & family on the 12th."],
        ["So I gave him joao.p@hotmail.com and he paid $150 for the logo outside Upwork."],
    )),
    ("payment_via_rail", (
        ["I sent $40 to pay.verify-team@gmail.com via PayPal.", "The buyer asked to start by paying me half through PayPal."],
        [
            "They said I must unlock the VIP tier by depositing 100 USDT to their wallet.",
            "I was told to verify my account by sending $30 via Zelle.",
        ],
    )),
    ("phishing_tell", (["He asked me to email my ID to upwork.support.team@gmail.com before the interview."], [])),
    ("pay_outside_platform", (
        [
            "The freelancer keeps attaching invoices saying 'please pay to this account to avoid platform fees'.",
            "He wants me to invoice him separately to avoid paying Fiverr's 20% cut.",
            "I reported that I received payment outside the platform from this client.",
            "The confirmation came from no-reply@escrow.com and he wants to pay through it.",
        ],
        [
            "I got a warning that I asked a buyer for payment outside Fiverr. I never did.",
            "The buyer reported me for asking him to pay outside the platform, which is a lie.",
            "Can I pay the remaining milestones now to avoid the platform fee increase?",
            "Can I pay with my card instead of PayPal to avoid the service fee?",
        ],
    )),
]
_add_examples(_SEVENTEENTH_C83)
_add_examples([
    ("money_sent", (
        [
            "Acabé pagando 50 dólares por la capacitación.",
            "Acabei pagando R$ 200 de taxa.",
            "J'ai fini par payer 79 € de frais.",
            "Tive que fazer um pix de 100 reais.",
            "O cara me convenceu a colocar 300 reais na plataforma dele.",
        ],
        [],
    )),
    ("account_rental", (["Deixei ele usar minha conta por 50 dólares."], [])),
])


# Eighteenth session: an accusation against the writer told in es/pt/fr is no proposal; an overpayment's difference the
# writer forwarded is money sent; "nunca fiz isso" is no compliance.
_EIGHTEENTH = [
    ("pay_outside_platform", (
        ["O cliente disse que vai me pagar por Pix fora da plataforma.", "El cliente me pidió pagar por fuera y le dije que no."],
        [
            "El cliente dice que yo le pedí pagar por fuera de la plataforma, eso es falso.",
            "O cliente me acusou de pedir pagamento fora da plataforma.",
            "Le client m'accuse de lui avoir demandé de payer en dehors de la plateforme.",
        ],
    )),
    ("payment_via_rail", (
        ["El comprador dijo que me pagaría por PayPal fuera del sitio."],
        ["Un comprador me reportó diciendo que le pedí que me pagara por PayPal."],
    )),
    ("money_sent", (
        [
            "He overpaid by cashier's check and I forwarded the difference, 1800 dollars, through Western Union.",
            "I returned the extra $900 to his assistant the same day.",
        ],
        [
            "The client overpaid the milestone by mistake and I refunded the difference through the platform.",
            "I never forwarded the difference he asked for.",
        ],
    )),
    ("complied_payment_request", (
        ["Ele pediu para pagar 200 reais de taxa pelo Pix e eu ja fiz isso."],
        ["O cliente me acusou de pedir pagamento fora da plataforma. Nunca fiz isso."],
    )),
]
_add_examples(_EIGHTEENTH)
# check85 (eighteenth session, hard cases in English, Spanish, Portuguese and French).
_EIGHTEENTH_C85 = [
    ("pay_outside_platform", (
        [],
        [
            "I withdrew ₹52,300 to my HDFC account via direct transfer and the bank credited only ₹51,180.",
            "Il parle bien de la facture générée par Malt, pas de me payer en direct.",
            "J'ai reçu un avertissement automatique pour 'tentative de paiement hors plateforme'.",
            "Recibí una advertencia por 'intento de pago fuera de la plataforma'.",
        ],
    )),
    ("offplatform_in_passing_intl", (
        ["Depois da entrega o cliente perguntou: por que não te pago direto?"],
        ["Il parle de la facture, pas de me payer en direct."],
    )),
    ("payment_owed", (["Il ne me paie pas depuis deux mois."], ["Son service compta ne paie pas par CB, seulement par virement."])),
    ("money_sent", (["I was afraid so I transfer 50k naira to the account he give me."], ["Should I transfer 50k naira to the account he gave me?"])),
    ("no_incident_stated", (
        [
            "Not a real situation, I'm putting together a FAQ for our group.",
            "Just setting up my profile, nobody has hired me yet.",
            "I don't even have a client yet.",
            "No es una situación real, es para una guía.",
        ],
        ["A client hired me yet never paid."],
    )),
    ("payment_via_rail", (
        [],
        [
            "They asked me to open a Binance account and deposit 100 USDT to activate my account.",
            "Para liberarlos tenia q pagar una tasa de 19,90€ por Bizum.",
        ],
    )),
    ("platform_dispute_process", (["Quiero abrir disputa por el segundo hito."], [])),
    ("on_platform_contract", (["Le liberé el primer hito de 300 dólares.", "J'ai libéré le jalon hier."], [])),
]
_add_examples(_EIGHTEENTH_C85)
# check86 (eighteenth session: policy questions, stories told by others) and the review of both rounds (helper-140).
_EIGHTEENTH_C86 = [
    ("platform_invoice", (
        [
            "We are on the Enterprise plan and receive Upwork's monthly invoice for all contracts.",
            "Il parle bien de la facture générée par Malt.",
            "Can we pay the invoices issued by Upwork by ACH?",
        ],
        [
            "He says your monthly invoices will be paid via ACH from now on.",
            "The freelancer sent me a fake Upwork invoice asking me to pay by wire.",
        ],
    )),
    ("no_incident_stated", (
        [
            "Nothing has happened to me, I just keep seeing posts about the check scam.",
            "I'm putting together a pinned FAQ for our Discord server.",
            "This isn't about anyone specific, I just want the guide to be right.",
            "This is for the guide only, no current client situation.",
        ],
        [
            "I'm new on Fiverr and I don't even have a client yet. Today a buyer asked me to pay him through PayPal.",
            "Nobody has hired me yet. A client on Telegram told me to deposit 100 USDT and I sent it.",
            "This is not a real case of a client - it was a scammer pretending to be support.",
            "Nothing has happened yet, he only asked to pay me via PayPal.",
            "I'm putting together a FAQ for a client's store and he asked to pay me via PayPal.",
            "I was hired for writing FAQ pages and the client wants to pay by Wise.",
        ],
    )),
    ("complied_payment_request", ([], ["He PayPal'd me $120 directly and I did it."])),
    ("money_sent", (
        [],
        [
            "I sent him a Payoneer payment request for $50 and he paid it.",
            "I forwarded the extra files to the client as he requested.",
            "I returned the overpayment the same day, it shows in my transaction history.",
            "The buyer overpaid. So I pay $200 to the account he gave me and then I keep the rest?",
        ],
    )),
    ("payment_via_rail", (
        ["My client then decided to Venmo him the $200 balance instead.", "The buyer asked to start by paying me half through PayPal."],
        ["Training is provided. Start by depositing 50 USDT to your personal task wallet to activate."],
    )),
    ("pay_outside_platform", (
        [
            "The client said from next week he'll just pay me straight to my Payoneer every friday.",
            "O cliente disse que sim quando propus receber por fora.",
            "After the project the client asked me to withdraw to my bank account via direct transfer, then pay him back 30%.",
        ],
        ["I got a warning email about 'payments outside the marketplace' but we use Direct Contracts."],
    )),
    ("payment_owed", (["Trabajé por fuera con un cliente. Ahora no me paga por los últimos 3 artículos."], [])),
    ("platform_dispute_process", ([], ["Un cliente me pidió mi DNI y cuenta bancaria. ¿Debo abrir disputa?"])),
]
_add_examples(_EIGHTEENTH_C86)
# the second review (helper-143): the platform's invoice refused or skipped, a loss told after "nothing has come my way",
# a quoted imperative obeyed, a payment for an application, the platform paying out, on-platform family stories
_add_examples([
    ("platform_invoice", (
        [],
        [
            "Le client ne veut pas de facture Malt, il préfère me régler par virement.",
            "Le client me demande une facture hors de Malt, il me paiera par virement sur mon compte.",
            "The client asked me to skip the Fiverr invoice this time and he will Venmo me the $300.",
            "We're an Enterprise account. A freelancer emailed our finance team his IBAN and asked us to send the money there.",
        ],
    )),
    ("no_incident_stated", (
        [],
        [
            "I paid the $150 training fee by Zelle and nothing has come my way since: no tasks, no refund.",
            "I'm drafting a wiki for a gaming community. The buyer asked me to send my bank details so he can pay me directly.",
        ],
    )),
    ("complied_payment_request", (["He wrote: 'Pay us the $80 registration fee and you start today.' And I did it."], [])),
    ("money_sent", (["I transferred the payment for my application, $60, to the account they gave me."], [])),
    ("pay_outside_platform", ([], ["Fiverr used to send the money straight to my Payoneer card, now it takes 10 days. Why?"])),
    ("third_party_paid", (
        [],
        [
            "My sister joined Upwork as a client to hire me. She paid $800 for the logo package through the contract.",
            "Writing for my brother, he paid $150 as a tip on Fiverr.",
        ],
    )),
])
_add_examples([
    ("third_party_victim", (
        [
            "Writing for my younger sister, she applied to a data entry job here.",
            "My colleague applied to a listing here and was moved to WhatsApp.",
            "My 17yo brother got scammed by someone on Discord.",
            "Not for me but for my colleague in our office.",
        ],
        ["If my sister ever applied there, what should she do?", "My client asked me to move to Telegram."],
    )),
    ("third_party_paid", (
        [
            "She paid it from her own card on Tuesday.",
            "He has put in about $900 and can't withdraw.",
            "He 'paid' her in Steam gift card codes.",
            "She paid on Monday and now the number blocked her.",
        ],
        [
            "She never paid the $50 they asked for.",
            "He paid me $300 through the contract.",
            "They sent the files yesterday.",
            "He paid the milestone into escrow.",
        ],
    )),
])
# nineteenth session (check88: off-platform money told without the usual words, money_lost boundaries)
_NINETEENTH = [
    ("work_taken", (
        ["I sent the translation on Monday and he disappeared."],
        ["Before the contract he wanted a badge fee. I sent it by Easypaisa to the number he gave me. The account is gone now."],
    )),
    ("money_sent", (
        [
            "The recruiter wanted $350 for a kit. I sent it from my banking app to the name he gave.",
            "At the end it asked for a $45 registration fee, which I paid with my debit card.",
            "They said my account would be disabled. I panicked and paid with my card.",
            "Roughly $6,000 has gone to her that way.",
            "I deposited my own USDT into their platform to unlock each commission.",
            "I put in about $2,600 total and now withdrawals are under review.",
        ],
        [
            "The buyer asked if he could tip me, i said ok, he sent $40 on PayPal.",
            "I paid with my card for the Plus membership last month.",
            "The $300 has gone to my bank account already.",
        ],
    )),
    ("payment_denied", (["My bank blocked the wire, so luckily no money left my account."], ["Money left my account twice this week."])),
    ("pay_outside_platform", (
        [
            "For phase two it's simpler if we skip the Upwork contract and I pay you straight from our company account.",
            "He asked to skip the order and pay cash when he picks them up.",
        ],
        [
            "If a future client asks to pay me with PayPal or bank transfer instead of through the site, what do I do?",
            "We skipped the milestone and he paid a bonus through the contract.",
        ],
    )),
    ("payment_via_rail", (
        ["My card got declined so my mum just transferred him the 180 quid from her bank."],
        ["If a future client offers to pay me by PayPal, what should I say?"],
    )),
    ("platform_invoice", (
        ["We're on Upwork Enterprise and pay the monthly consolidated invoice by wire transfer."],
        ["Consolidated invoices here don't fit our approval workflow, so finance wants to pay contractors by ACH."],
    )),
]
_add_examples(_NINETEENTH)
# the review of that round (helper-148): plan purchases, expenses, on-platform billing, partial denials, a new offer from
# the company account, milestones skipped on the platform, "would be easier if", "my future customer"
_add_examples([
    ("money_sent", (
        [],
        [
            "I bought a Plus plan. Paid with my card, but I was charged twice.",
            "The client asked me to register a domain. I paid it with my credit card and he reimbursed me as an expense.",
            "$14,000 has gone to her through weekly hourly billing. Can we convert her to a retainer?",
            "I deposited the money into the app via my card to pay for the project, but the order says awaiting payment.",
            "I put in $30/hr on the proposal and he accepted.",
            "The client needed a rush edit and sent $220 to my PayID before I even finished.",
            "Afterwards she wanted the printed album and just transferred it to me.",
        ],
    )),
    ("payment_denied", (
        [],
        ["I sent $150 by Zelle. When he asked for another $300 my bank blocked the transfer, so no money left my account the second time."],
    )),
    ("pay_outside_platform", (
        ["My future customer insists on paying me in USDT to my own wallet."],
        [
            "I'm the new hiring manager. I will pay you from our company account instead of my personal client account, please accept the new offer.",
            "He would rather skip milestones altogether and pay the full $2,000 up front when he funds the project.",
            "My client said it would be easier if you paid through the contract instead of sending bonuses, so he created a new milestone.",
        ],
    )),
    ("platform_invoice", (
        [],
        ["My designer sends me her own consolidated invoice every month and we pay the consolidated invoice by ACH directly to her bank."],
    )),
    ("payment_via_rail", (
        ["My future buyer wants to send me the money over Wise."],
        ["Support said the client paid from their bank via ACH and it takes 5 business days to clear."],
    )),
])
# check89 (money_lost told in unusual ways and its look-alikes)
_NINETEENTH_C89 = [
    ("money_sent", (
        [
            "Ahora, después de mi Bizum de 60 € al número que me dio, dice que falta otro pago.",
            "My deposit of 0.05 BTC shows there as locked.",
            "The $120 for the account went to his USDT address and he blocked me.",
            "Here is the Zelle confirmation for what went out of my account to their supplier.",
            "Here's what the Cash App receipt says: $75.00 to $HRonboardDesk, Status: Completed.",
            "Please see the screenshot from my bank app, it reads: 'Outgoing transfer - NGN 15,000.00 - Successful'.",
            "I don't have online banking so my husband sent it from our joint account for me.",
            "It was $249 on their site with my card.",
            "The laptop I ordered from their vendor never shipped.",
            "That took 4 recharges (50, 120, 300 and 800 USDT).",
            "After submitting the form Rs. 4,999 was debited from my SBI account.",
            "I sent it from Coinbase the same day.",
        ],
        [
            "He sent a screenshot of a Western Union receipt, the amount says $1,700 and he says I need to send the extra $1,000 to his assistant.",
            "Golpista diz que eu já paguei a primeira parcela.",
            "He asked me to handle hosting, so i paid $134 for 1 yr (namecheap + hostinger) on my card.",
            "She wanted it via PayPal. I sent it as a bonus on our contract instead.",
            "My long-term client (we've worked together on Upwork for years) just sent me $600 through Wise.",
            "He sent a screenshot: Zelle, $1,200.00 to my email, pending.",
        ],
    )),
    ("payment_denied", (
        ["I was about to pay by UPI but my bank blocked the transaction, so no money went.", "The bonus never came and I'm not paying anything."],
        ["I'm not paying anything more until he delivers.", "No money went to the platform, it all went to him."],
    )),
    ("pay_outside_platform", ([], ["Can the client reimburse the font through 99designs? No outside payments, I just want to do it right."])),
    ("payment_via_rail", (
        ["He said he'd pay PayPal F&F at the end of the month for everything at once."],
        ["Do I have to pay PayPal fees on my withdrawal?"],
    )),
]
_add_examples(_NINETEENTH_C89)
# the review of that round (helper-151): withdrawals and funding told as a noun, the writer's own accounts, received money,
# the platform's plan charges, phone recharges, a document that "says" the writer paid, "US$", partial denials
_add_examples([
    ("money_sent", (
        [
            "My Wise receipt says I sent $600 to Mark Daniels. Now he has blocked me.",
            "Our finance team sent US$1,800 by wire to the developer's personal bank account.",
        ],
        [
            "Also, since my transfer of $900 from Upwork to my bank, nothing has happened.",
            "My deposit of $500 for the contract is still pending.",
            "My withdrawal of $800 went to an old bank account.",
            "The statement shows an outgoing transfer of $2,000 to my HDFC account.",
            "The receipt shows $2,450.00 to Maria Santos (that's me).",
            "My husband sent $200 to my Payoneer for me so I could test receiving.",
            "I bought props from the client's store for the shoot and he reimbursed me with a bonus on the contract.",
            "Upwork renewed my plan and $19.99 was charged to my card.",
            "I did 3 recharges (10, 20, 20) on my phone this month.",
        ],
    )),
    ("payment_denied", (
        [],
        ["He promised a refund but no money went back to my account.", "I already wired $500. I'm not paying anything, I want my $500 back."],
    )),
    ("pay_outside_platform", (["I wrote 10 articles for a Fiverr buyer who moved me to email. No direct payment ever came for them."], [])),
])

@pytest.fixture(scope="module")
def rules():
    return load_rules(CONFIG)


def test_every_signal_is_pinned(rules) -> None:
    pattern_signals = {s.name for s in rules.signals}
    assert pattern_signals == set(EXAMPLES), "add examples for new signals / drop removed ones"


CASES = [(sig, text, True) for sig, (pos, _) in EXAMPLES.items() for text in pos] + [
    (sig, text, False) for sig, (_, neg) in EXAMPLES.items() for text in neg
]


@pytest.mark.parametrize(
    ("signal", "text", "fires"), CASES, ids=[f"{s}:{'+' if f else '-'}:{t[:30]}" for s, t, f in CASES]
)
def test_signal_examples(rules, signal: str, text: str, fires: bool) -> None:
    subject, body = (text, "") if tuple(rules.signal(signal).fields) == ("subject",) else ("", text)
    c = classify(subject, body, rules)
    assert (signal in c.signals) == fires, {k: [e.text for e in v] for k, v in c.signals.items()}
    # The prefilter must never lose a match the plain regex finds.
    assert c == classify(subject, body, rules, prefilter=False)


def test_subject_doubt_reads_only_the_subject(rules) -> None:
    assert "subject_doubt" not in classify("", "Is this a scam?", rules).signals
    assert "subject_doubt" in classify("Is this a scam?", "", rules).signals


COMBOS: dict[str, tuple[list[str], list[str]]] = {
    "writer_unpaid": (["I delivered all source files, he stopped answering"], ["he paid on time"]),
    "stiffed_off_platform": (
        [
            "He said we continue via invoice to save time. I delivered all files and he stopped answering.",
            "Moved to email at his request, wrote 12 articles. Never saw a cent.",
        ],
        [
            "A client I originally met here, we moved to invoicing by email. He has not paid yet this month.",
            "I delivered all files on the contract and he stopped answering.",
        ],
    ),
    "paid_then_vanished": (
        [
            "I sent the deposit to his Wise account. Profile deleted today, he disappeared.",
            "He asked me to pay the rest to his PayPal to avoid fees. I paid and he vanished.",
        ],
        [
            "I sent the deposit into escrow and he disappeared.",
            "He disappeared for a week, then came back.",
            "Worked with him on here for 2 years. I sent the deposit to his Wise account and he disappeared.",
        ],
    ),
    "doubted_pay": (
        ["$900 a day for copy paste work, no experience needed. That can't be real."],
        ["$900 a day for copy paste work, no experience needed. I accepted.", "Is this client legit? He pays $20/h."],
    ),
    "loss_in_scam": (
        ["They said I must pay a training fee. Now my money is gone."],
        [
            "The buyer cancelled and my money is gone from the balance, is that a refund?",
            "Membership fee? My card was charged $19.99 by you. It's inside my account settings.",
        ],
    ),
    "data_given_then_vanished": (
        ["I sent my passport photo to a client. Now he's not responding."],
        ["I sent my passport photo to support for verification.", "He disappeared after the call."],
    ),
    "platform_phishing": (
        [
            "SMS: your payout is on hold, confirm your card to release it at pay-release-now.example. Didn't click.",
            "A user called 'Support Team' said my account will be suspended unless I verify my ID within 24 hours.",
            "Mail from 'PPH Compliance': to avoid permanent closure, verify your identity here. Sender was"
            " pph.compliance.team@gmail.com.",
        ],
        [
            "My payout is on hold until I verify my identity, support told me. Is this normal?",
            "My account settings ask me to verify my identity within 30 days. I didn't click yet.",
        ],
    ),
    "access_then_loss": (
        ["I installed AnyDesk for him and later he drained my PayPal."],
        ["I installed AnyDesk for him. My money is stuck in pending clearance on Upwork."],
    ),
    "chat_moved_mid_work": (
        ["We moved to email for the last part of the project."],
        ["Before any contract he asked me to send the test to his email."],
    ),
    "stiffed_after_chat_moved": (
        ["Before any contract he asked me to send the test to his personal email. I delivered it, he vanished with my work."],
        ["We moved to email for the last part. I delivered all files, he stopped answering."],
    ),
    "sent_work_not_money": (
        ["Before sending an offer he asked for a test article to his personal email. I sent it. He disappeared."],
        [
            "Before any contract he asked me to pay a $50 fee via PayPal. I sent it. He disappeared.",
            "We moved to email mid-project. I sent it. He disappeared.",
        ],
    ),
    "purchase_repaid_here": (
        [
            "He asked me to buy $500 of Bitcoin and send it to his wallet; he'll pay me back here with a bonus. I haven't done it.",
            "Client wants me to buy 4 Steam cards and send the codes, he'd reimburse me as a bonus on the contract. Not doing it.",
        ],
        [
            "He asked me to buy Steam cards and he'd pay me back here as a bonus. I bought $300 of cards and sent the codes.",
            "He asked me to buy Steam cards and said he'd reimburse me by Zelle.",
        ],
    ),
    "crypto_errand": (
        [
            "The client asked me to buy USDT with my card and send it to his wallet address.",
            "He wants me to purchase bitcoin for his project server and send it to a wallet. Haven't done it.",
        ],
        [
            "He wants to pay me in USDT to my wallet instead of the contract.",
            "I bought 40 USDT and sent it to his wallet, then he blocked me.",
            "They told me to pay a $500 unfreeze fee in bitcoin to their wallet.",
            "Client asked me to buy USDT and send it to his wallet; I did it yesterday and he vanished.",
        ],
    ),
    "demand_despite_contract": (
        ["The order is placed here but the buyer wants me to pay a $25 'priority fee' to his assistant first."],
        ["The order is placed here and the buyer wants two more revisions."],
    ),
    "offplatform_before_contract": (
        ["No contract yet and he wants to pay me via PayPal."],
        ["He wants to pay me via PayPal for the next milestone.", "No contract yet, he sent an invite."],
    ),
    "doubt_expressed": (
        ["Is this email legit or phishing?", "The offer sounds fake to me."],
        ["My withdrawal is late again."],
    ),
    # check14 review: the platform's own process doubted, with no counterparty behaving suspiciously
    "own_process_doubted": (
        [
            "My first payment is held for 10 days. Is this a scam? I'm afraid it's a fake client.",
            "Is the withdrawal fee a scam? I lost a lot in the exchange rate.",
            "The ID check popped up inside the site itself. Is that really you or phishing?",
            "A client added a bonus through the old contract. Is this a trick or a scam?",
            "He asked for samples of my previous work - the free work trap? Scam?",
            "The client disputed 5 of my hours. Feels like a scam to save money.",
            "¿La comisión de retiro es una estafa? No entiendo el tipo de cambio.",
            "A taxa de saque é golpe? Acho que o pagamento está pendente.",
            "Les frais de retrait, c'est une arnaque ?",
        ],
        [
            "My payment is held for 10 days and the client says to pay him via PayPal meanwhile. Scam?",
            "Is the withdrawal fee a scam? A recruiter on Telegram says I must pay it to him.",
            "The client added a bonus through the old contract and wants me to return the difference to his PayPal. Scam?",
            "Someone messaged me inside the platform chat: verify your identity or lose your account. Scam?",
            "The client wants two samples of my previous work. A free test article too. Scam?",
        ],
    ),
    # check25 c25-049, check30 c30-153: asking whether support has a messenger number is ordinary support
    "support_channel_asked": (
        [
            "Does support have a WhatsApp number? I have a question about a pending withdrawal.",
            "¿Hay algún número de WhatsApp oficial de soporte? Mi consulta es sobre las comisiones.",
        ],
        [
            "Does support have a WhatsApp number? Someone claiming to be support wrote to me there asking for my code.",
            "Is there a WhatsApp number for support? A client wants me to pay a $40 fee to unlock the job.",
        ],
    ),
    # check14 review: a general question about scam signs, with no incident
    "general_question_no_incident": (
        [
            "Just a general question: what are the usual signs? People mention Telegram, training fees, checks.",
            "Uma pergunta geral: quais são os sinais típicos? Vi falar de Telegram e taxas de treinamento.",
        ],
        [
            "Just a general question: I paid a $50 training fee on Telegram and he vanished. Was that a scam?",
            "A general question. A client asked for my ID on WhatsApp and I sent it. Scam?",
        ],
    ),
    # check85/check86: what someone the writer writes for paid outside is off-platform money
    "relative_paid": (
        [
            "Writing for my younger sister. A 'manager' on Telegram told her to pay a training fee. She paid it from her own card.",
            "My brother got a WhatsApp task job. He has put in about $900 and can't withdraw.",
        ],
        [
            "My sister joined Upwork as a client to hire me for her bakery website. She paid $800 last week.",
            "Writing for my younger sister. They asked her for a $65 training fee but she never paid it.",
            "My colleague asked me about a client. He paid me $300 through the contract.",
        ],
    ),
}


def test_every_combination_is_pinned(rules) -> None:
    assert {c.name for c in rules.combinations} == set(COMBOS)


@pytest.mark.parametrize(
    ("combo", "text", "fires"),
    [(c, t, True) for c, (pos, _) in COMBOS.items() for t in pos]
    + [(c, t, False) for c, (_, neg) in COMBOS.items() for t in neg],
)
def test_combination_examples(rules, combo: str, text: str, fires: bool) -> None:
    c = classify("", text, rules)
    assert (combo in c.signals) == fires, {k: [e.text for e in v] for k, v in c.signals.items()}
    assert c == classify("", text, rules, prefilter=False)
