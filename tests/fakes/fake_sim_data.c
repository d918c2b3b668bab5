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
