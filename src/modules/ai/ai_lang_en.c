/* ai_lang_en.c — English for the built-in receptionist (see ai_lang.h).
 * Data only. */
#include "modules/ai/ai_lang.h"

#define W AI_LANG_W

const struct ai_lang ai_lang_en = {
	.code = "en",
	.weekdays = { W("monday", "mon"), W("tuesday", "tue", "tues"),
		W("wednesday", "wed", "weds"), W("thursday", "thu", "thur", "thurs"),
		W("friday", "fri"), W("saturday", "sat"), W("sunday", "sun") },
	.months = { W("january", "jan"), W("february", "feb"), W("march", "mar"),
		W("april", "apr"), W("may"), W("june", "jun"), W("july", "jul"),
		W("august", "aug"), W("september", "sep", "sept"), W("october", "oct"),
		W("november", "nov"), W("december", "dec") },
	.numbers = W("", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
	    "ten", "eleven", "twelve"),
	.markers = W("the", "i", "you", "is", "can", "please", "would", "like", "at", "book",
	    "have", "my", "for", "any", "do", "what", "when", "hi", "hello", "thanks", "yes",
	    "free", "next", "today", "tomorrow", "morning", "afternoon", "a", "an", "on", "me",
	    "want", "need", "appointment", "it's", "its", "name", "are", "there", "if", "that",
	    "works", "wait", "sorry", "mean", "get", "of", "and", "no", "with", "ideally"),
	.time_leads = W("at", "around", "about", "say", "maybe", "for"),
	.this_words = W("this", "coming"),
	.next_words = W("next"),
	.next_week = W("next week", "the week after this", "following week"),
	.in_words = W("in"),
	.day_words = W("day", "days"),
	.week_words = W("week", "weeks"),
	.half_past = W("thirty"),
	.quarter_past = W("fifteen"),
	.am_phrases = W("in the morning", "am"),
	.pm_phrases = W("in the afternoon", "in the evening", "at night", "pm"),
	.mornings = W("morning", "mornings"),
	.afternoons = W("afternoon", "afternoons"),
	.evenings = W("evening", "evenings", "night", "after work"),
	.book_words = W("book", "appointment", "appt", "slot", "reserve", "available", "free",
	    "chance", "fit", "squeeze"),
	.corrections = W("sorry", "mean", "wait", "actually", "rather", "instead", "better"),
	.yes_words = W("yes", "yeah", "yep", "sure", "ok", "okay", "perfect", "confirm"),
	.no_words = W("no", "nope", "nah", "not", "dont", "never", "wait", "stop", "none"),
	.and_words = W("and", "plus", "also", "then"),
	.with_words = W("with", "including", "incl"),
	.without_words = W("without", "no", "skip"),
	.waitlist_words = W("waitlist", "waiting list", "wait list", "waitlisted"),
	.glossary = (const struct ai_lang_gloss[]){
		{ "cut", "haircut" }, { "nails", "manicure" }, { "mani", "manicure" },
		{ "color", "colour" }, { "coloring", "colour" }, { "colouring", "colour" },
		{ "tidy", "trim" }, { "shampoo", "wash" },
		{ NULL, NULL } },
	.day_names = W("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
	    "Sunday"),
	.month_names = W("January", "February", "March", "April", "May", "June", "July",
	    "August", "September", "October", "November", "December"),
	.day_before_month = false,
	.month_join = " ",
	.clock24 = false,
	.time_join = " at ",
	.say = {
		.ok = "Great!",
		.sorry = "Sorry,",
		.or_word = " or ",
		.with = " with ",
		.which_one = "Which one works for you?",
		.and_word = " and ",
		.ask_service = "I'd be happy to help you book. Which service would you like: %s?",
		.ask_when = "Sure — %s. What day and time would suit you?",
		.slots = "%s Here's what I have for %s: %s. Which one works for you?",
		.slots_again = "Which of these times works for you: %s?",
		.none_free = "%s %s Would another day or time work?",
		.ask_name_contact = "%s is free. What name and e-mail or phone number should I put "
		    "the booking under?",
		.ask_name = "%s is free. And what name should I put the booking under?",
		.ask_contact = "%s is free. And what e-mail or phone number can we reach you on?",
		.confirm = "Just to confirm: %s on %s at %s%s%s, for %s (%s). Shall I book it? "
		    "It's %s; please reply \"yes\" to confirm.",
		.booked = "All set! You're booked for %s on %s at %s%s%s. Your reference is %s. "
		    "See you then!",
		.which_date = "Just to be sure — do you mean %s or %s?",
		.part_names = { "", " in the morning", " in the afternoon", " in the evening" },
		.waitlist_offer = "If none of these suits you, I can put you on the waitlist for %s "
		    "on %s%s and let you know as soon as a time frees up — would you like that?",
		.waitlist_ask = "Happy to put you on the waitlist for %s on %s%s. What name and "
		    "e-mail or phone number should I use to let you know?",
		.waitlist_confirm = "Just to confirm: shall I put %s (%s) on the waitlist for %s on "
		    "%s%s? Please reply \"yes\" to confirm.",
		.waitlisted = "Done — you're on the waitlist for %s on %s%s. We'll let you know at "
		    "%s as soon as a time frees up.",
		.waitlist_already = "You're already on the waitlist for %s on %s%s — we'll let you "
		    "know as soon as a time frees up.",
		.declined = "No problem — I haven't changed anything. Would you like a different "
		    "time, or is there anything else I can help with?",
		.not_understood = "%s I didn't quite catch that. I can book, cancel or reschedule "
		    "appointments, and answer questions about our services, prices, hours and "
		    "location.",
		.help = "I can book, cancel or reschedule appointments, and answer questions "
		    "about our services, prices, hours and location. What can I do for you?",
		.greeting = "Hi%s! I can book, cancel or reschedule appointments and answer your "
		    "questions. How can I help?",
		.welcome = ", welcome to %s",
		.thanks = "You're welcome! Is there anything else I can help with?",
		.closed_day = "We're closed on %s.",
		.after_close = "On %s we close at %s; the latest start for that is %s.",
		.before_open = "On %s we open at %s.",
		.taken = "%s at %s is already taken.",
		.too_soon = "That's too soon to book online; the earliest I can offer is %s.",
		.nearest = "The nearest free times are %s.",
	},
};
