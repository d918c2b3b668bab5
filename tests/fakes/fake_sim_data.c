/*
 * fake_sim_data.c: the simulator's customers (handles, follower counts, how
 * chatty they are) and the texts it writes for them and for the brand.
 */
#include "fake.h"

static const struct fake_sim_customer customers[] = {
	{"carol_m", 312, 5},        {"dan_w", 88, 4},          {"priya_k", 1450, 3},
	{"tomasz_b", 540, 3},       {"amelie_r", 2310, 3},     {"jkowalska", 97, 2},
	{"techreviewer", 48200, 1}, {"gadgetguru", 126000, 1}, {"newsdesk_eu", 23400, 1},
	{"sam_o", 41, 4},           {"lucia_f", 760, 3},       {"ben_t", 205, 3},
	{"hiro_n", 1210, 2},        {"marta_z", 389, 3},       {"olu_a", 66, 2},
	{"frank_d", 3020, 2},       {"nadia_s", 155, 3},       {"kim_j", 930, 2},
	{"pierre_l", 471, 2},       {"eva_h", 12800, 1},       {"raj_p", 58, 3},
	{"grace_c", 690, 2},        {"leo_v", 134, 3},         {"ines_g", 2280, 2},
	{"mike_r", 19, 4},          {"sofia_b", 845, 2},       {"yusuf_k", 302, 2},
	{"anna_w", 1675, 2},        {"chen_l", 5400, 1},       {"zoe_q", 73, 3},
};

static const char *const mention_texts[] = {
	"my order #48213 still hasn't shipped, it's been 9 days. What's going on?",
	"where is my refund? Returned the blender two weeks ago.",
	"the app crashes every time I open the cart on Android 14",
	"package marked delivered but nothing at my door. Help?",
	"I was charged twice for the same order, please refund one of them",
	"my new headphones arrived broken, the left side is dead",
	"honestly getting angry now, third time asking about my delivery",
	"can I change the delivery address on an order that already shipped?",
	"Zażółć gęślą jaźń: the Polish translation in your app is broken",
	"échec du paiement à chaque fois avec ma carte, que faire ?",
	"is the spring sale discount stackable with my loyalty points?",
	"love the new update, the dark mode looks great!",
	"tracking number doesn't work on the courier's site",
	"the app logs me out every few minutes since yesterday's update",
	"ordered size M, received XL. How do I exchange it?",
	"support chat has been \"connecting\" for 40 minutes...",
	"any news on the restock of the blue kettle?",
	"why was my account locked? I can't log in at all",
	"the coupon code WELCOME10 says invalid at checkout",
	"delivery driver left my parcel in the rain, everything is soaked & ruined",
	"refund still pending after 14 days, this is not OK",
	"Größe passt nicht, wie funktioniert die Rücksendung?",
	"app crash on iOS when I tap \"track order\" <3 otherwise",
	"your invoice PDF shows the wrong VAT number",
	"the replacement part you sent is broken too. Very angry.",
	"thanks for the quick fix yesterday!",
	"how long does a refund to PayPal usually take?",
	"café order arrived cold and late, not great",
	"do you ship to Norway? Checkout won't accept my postcode",
	"my subscription renewed even though I cancelled it",
};

static const char *const reply_texts[] = {
	"Sorry about that! Could you DM us your order number so we can check?",
	"We're on it: your refund has been pushed and should land in 3-5 days.",
	"Thanks for flagging! Our app team is looking into the crash now.",
	"So sorry for the trouble. We've sent you a DM to sort this out.",
	"A replacement is on its way, tracking details are in your inbox.",
	"Thanks for the kind words, we'll pass them on to the team!",
	"We've checked with the courier: your parcel is out for delivery today.",
	"Apologies for the wait. Your case is now with a senior agent.",
	"That code expired last week, but we've added a new one to your account.",
	"Merci pour votre message, nous vous avons répondu en privé.",
};

static const char *const post_texts[] = {
	"Our spring sale starts today: up to 30% off kitchen gear.",
	"Heads-up: app version 5.2 is rolling out with a faster checkout.",
	"Scheduled maintenance tonight 01:00-02:00 UTC, orders keep flowing.",
	"New in: the blue kettle is back in stock!",
	"Delivery times are a bit longer this week due to the holidays. Thanks for your patience.",
	"We answer here every day 8:00-22:00. For order questions, DM us your order number.",
};

size_t
fake_sim_ncustomers(void)
{
	return sizeof(customers) / sizeof(customers[0]);
}

const struct fake_sim_customer *
fake_sim_customer(size_t i)
{
	return &customers[i % fake_sim_ncustomers()];
}

const char *
fake_sim_mention_text(struct fake_rng *r)
{
	return mention_texts[fake_rng_below(r, sizeof(mention_texts) / sizeof(mention_texts[0]))];
}

const char *
fake_sim_reply_text(struct fake_rng *r)
{
	return reply_texts[fake_rng_below(r, sizeof(reply_texts) / sizeof(reply_texts[0]))];
}

const char *
fake_sim_post_text(struct fake_rng *r)
{
	return post_texts[fake_rng_below(r, sizeof(post_texts) / sizeof(post_texts[0]))];
}

/* ---- reviews: by sentiment, 0 for 1-2 stars, 1 for 3, 2 for 4-5 ---- */

#define PICK(r, pool) (pool)[fake_rng_below((r), sizeof(pool) / sizeof((pool)[0]))]

static const char *const reviewers[] = {
	"Carol M.",        "Dan Whitfield", "Priya K.",  "Tomasz B.",  "Amélie Rousseau",
	"J. Kowalska",     "Sam O.",        "Lucia F.",  "Ben Turner", "Hiro N.",
	"Marta Zielińska", "Olu A.",        "Frank D.",  "Nadia S.",   "Kim J.",
	"Pierre L.",       "Eva H.",        "Raj Patel", "Grace C.",   "Leo V.",
	"Inés García",     "Mike R.",       "Sofia B.",  "Yusuf K.",   "Anna W.",
};

static const char *const titles_bad[] = {
	"Never again",       "Awful customer service", "Still waiting for my refund",
	"Broken on arrival", "App keeps crashing",     "Very disappointed",
};
static const char *const titles_mixed[] = {
	"OK but slow delivery",
	"Decent, could be better",
	"Mixed feelings",
	"Fine product, clunky app",
};
static const char *const titles_good[] = {
	"Great service!",    "Fast and friendly",           "Love the new app",
	"Excellent quality", "Five stars, would buy again",
};

static const char *const texts_bad[] = {
	"Ordered two weeks ago, still nothing. Nobody answers the chat.",
	"The blender arrived broken and the return form does not work.",
	"App crashes every time I open the cart. Uninstalled.",
	"Charged twice for one order and support keeps sending me in circles.",
	"Parcel marked delivered, never arrived. Courier blames you, you blame the courier.",
	"Zażółć gęślą jaźń: the checkout rejects every Polish address.",
	"Le remboursement n'est jamais arrivé. Très déçu.",
	"Since the last update I get logged out every five minutes.",
};
static const char *const texts_mixed[] = {
	"Product is fine, delivery took 9 days instead of 3.",
	"Good prices, but the app is slow and the search is poor.",
	"Had to call twice, then they sorted it out.",
	"Größe fiel klein aus, Umtausch hat aber geklappt.",
};
static const char *const texts_good[] = {
	"Arrived next day, well packed, exactly as described.",
	"Support fixed my order in ten minutes. Impressed!",
	"The new dark mode is lovely and the app is much faster now.",
	"Third order this year, never a problem.",
	"Great kettle, great price, great service.",
	"Café-quality coffee at home, thank you <3",
};

static const char *const answers_bad[] = {
	"We're very sorry. Please contact support@acme.example with your order number and we'll "
	"put this right today.",
	"Sorry about this! Our team has reached out by email to sort out your refund.",
	"Thanks for telling us. A fix for the crash is in the next update; sorry for the trouble.",
};
static const char *const answers_mixed[] = {
	"Thanks for the honest feedback, we're working on faster delivery.",
	"Glad we could sort it out in the end, and sorry it took two calls.",
};
static const char *const answers_good[] = {
	"Thank you so much! We'll pass this on to the team.",
	"Thanks for the kind words, enjoy your order!",
	"Happy to hear it, see you next time!",
};

static const char *const updates_bad[] = {
	"Update: still no answer by email either.",
	"Update: they replied but the problem is not solved.",
};
static const char *const updates_good[] = {
	"Update: support called me back and refunded the order. Thanks!",
	"Update: the new version fixed it.",
};

static int
sentiment(int rating)
{
	return rating <= 2 ? 0 : rating == 3 ? 1 : 2;
}

const char *
fake_sim_reviewer(struct fake_rng *r)
{
	return PICK(r, reviewers);
}

const char *
fake_sim_review_title(struct fake_rng *r, int rating)
{
	switch (sentiment(rating)) {
	case 0:
		return PICK(r, titles_bad);
	case 1:
		return PICK(r, titles_mixed);
	default:
		return PICK(r, titles_good);
	}
}

const char *
fake_sim_review_text(struct fake_rng *r, int rating)
{
	switch (sentiment(rating)) {
	case 0:
		return PICK(r, texts_bad);
	case 1:
		return PICK(r, texts_mixed);
	default:
		return PICK(r, texts_good);
	}
}

const char *
fake_sim_review_answer(struct fake_rng *r, int rating)
{
	switch (sentiment(rating)) {
	case 0:
		return PICK(r, answers_bad);
	case 1:
		return PICK(r, answers_mixed);
	default:
		return PICK(r, answers_good);
	}
}

const char *
fake_sim_review_update(struct fake_rng *r, int rating)
{
	return rating <= 3 ? PICK(r, updates_bad) : PICK(r, updates_good);
}
