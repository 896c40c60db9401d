/* ai_lang_es.c — Spanish for the built-in receptionist (see ai_lang.h).
 * Data only. Words are normalised (no accents: "miercoles", "manana"). */
#include "modules/ai/ai_lang.h"

#define W AI_LANG_W

const struct ai_lang ai_lang_es = {
	.code = "es",
	.weekdays = { W("lunes"), W("martes"), W("miercoles"), W("jueves"), W("viernes"),
		W("sabado"), W("domingo") },
	.months = { W("enero"), W("febrero"), W("marzo"), W("abril"), W("mayo"), W("junio"),
		W("julio"), W("agosto"), W("septiembre", "setiembre"), W("octubre"),
		W("noviembre"), W("diciembre") },
	.numbers = W("", "una", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho",
	    "nueve", "diez", "once", "doce"),
	.markers = W("quiero", "quisiera", "puedo", "tienen", "tiene", "hay", "cita", "para",
	    "el", "la", "las", "los", "de", "del", "por", "favor", "hola", "gracias", "si",
	    "manana", "hoy", "pasado", "semana", "que", "viene", "soy", "llamo", "mi", "correo",
	    "reservar", "reservame", "hueco", "libre", "este", "esta", "proximo",
	    "proxima", "tarde", "noche", "dia", "un", "una", "me", "gustaria", "perdon", "mejor",
	    "buenas", "buenos", "pelo", "barba", "y", "media", "cuarto", "dentro", "con", "es",
	    "puede", "ser", "pedir", "tal", "nombre", "vale", "claro", "perfecto"),
	.time_leads = W("las", "la", "sobre", "hacia", "eso"),
	.this_words = W("este", "esta"),
	.next_words = W("proximo", "proxima"),
	.next_week = W("semana que viene", "proxima semana", "semana proxima",
	    "siguiente semana"),
	.in_words = W("dentro", "en"),
	.day_words = W("dia", "dias"),
	.week_words = W("semana", "semanas"),
	.half_past = W("y media"),
	.quarter_past = W("y cuarto"),
	.am_phrases = W("de la manana"),
	.pm_phrases = W("de la tarde", "de la noche"),
	.mornings = W("por la manana", "en la manana"),
	.afternoons = W("por la tarde", "en la tarde", "tarde"),
	.evenings = W("por la noche", "noche"),
	.book_words = W("cita", "reservar", "reserva", "reservame", "hueco", "libre", "quiero",
	    "quisiera", "pedir", "agendar", "turno"),
	.corrections = W("perdon", "mejor", "digo", "quiero decir", "espera", "rectifico"),
	.yes_words = W("si", "claro", "vale", "dale", "perfecto", "adelante", "reservalo",
	    "confirmado", "confirmo", "correcto", "exacto", "venga", "genial", "estupendo",
	    "favor", "acuerdo"),
	.no_words = W("no", "nunca", "espera", "cambiar", "otro", "otra", "pero", "mejor",
	    "tampoco", "cancela", "cancelar", "ninguna", "ninguno", "ningun"),
	.and_words = W("y", "e", "mas", "ademas", "tambien", "luego"),
	.with_words = W("con", "incluido", "incluyendo"),
	.without_words = W("sin"),
	.waitlist_words = W("lista de espera", "en espera"),
	.glossary = (const struct ai_lang_gloss[]){
		{ "corte", "haircut" }, { "cortarme", "haircut" }, { "pelo", "hair" },
		{ "barba", "beard" }, { "arreglo", "trim" }, { "recortar", "trim" },
		{ "tinte", "colour" }, { "color", "colour" }, { "manicura", "manicure" },
		{ "unas", "manicure" }, { "lavado", "wash" }, { "lavar", "wash" },
		{ "lavarme", "wash" }, { NULL, NULL } },
	.day_names = W("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
	.month_names = W("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
	    "septiembre", "octubre", "noviembre", "diciembre"),
	.day_before_month = true,
	.month_join = " de ",
	.clock24 = true,
	.time_join = " a las ",
	.say = {
		.ok = "¡Perfecto!",
		.sorry = "Lo siento,",
		.or_word = " o ",
		.with = " con ",
		.which_one = "¿Cuál te viene mejor?",
		.and_word = " y ",
		.ask_service = "Con mucho gusto. ¿Qué servicio te gustaría: %s?",
		.ask_when = "Claro — %s. ¿Qué día y a qué hora te viene bien?",
		.slots = "%s Estos son los huecos para %s: %s. ¿Cuál te viene mejor?",
		.slots_again = "¿Cuál de estas horas te viene mejor: %s?",
		.none_free = "%s %s ¿Te va bien otro día u otra hora?",
		.ask_name_contact = "%s está libre. ¿A qué nombre hago la reserva, y con qué correo "
		    "o teléfono?",
		.ask_name = "%s está libre. ¿A qué nombre hago la reserva?",
		.ask_contact = "%s está libre. ¿Y un correo o teléfono de contacto?",
		.confirm = "Para confirmar: %s el %s a las %s%s%s, a nombre de %s (%s). "
		    "¿Lo reservo? Son %s; responde «sí» para confirmar.",
		.booked = "¡Listo! Tienes cita para %s el %s a las %s%s%s. Tu referencia es %s. "
		    "¡Hasta pronto!",
		.which_date = "Para estar seguros: ¿te refieres al %s o al %s?",
		.part_names = { "", " por la mañana", " por la tarde", " por la noche" },
		.waitlist_offer = "Si ninguna te va bien, puedo apuntarte en la lista de espera para "
		    "%s el %s%s y avisarte en cuanto se libere un hueco. ¿Quieres?",
		.waitlist_ask = "Con gusto te apunto en la lista de espera para %s el %s%s. ¿A qué "
		    "nombre, y con qué correo o teléfono te aviso?",
		.waitlist_confirm = "Para confirmar: ¿apunto a %s (%s) en la lista de espera para %s "
		    "el %s%s? Responde «sí» para confirmar.",
		.waitlisted = "Listo: estás en la lista de espera para %s el %s%s. Te avisaremos en "
		    "%s en cuanto se libere un hueco.",
		.waitlist_already = "Ya estás en la lista de espera para %s el %s%s; te avisaremos en "
		    "cuanto se libere un hueco.",
		.declined = "De acuerdo, no he cambiado nada. ¿Prefieres otra hora, o te ayudo con "
		    "otra cosa?",
		.not_understood = "%s no te he entendido bien. Puedo reservar, cancelar o cambiar "
		    "citas, y responder preguntas sobre servicios, precios, horario y dirección.",
		.help = "Puedo reservar, cancelar o cambiar citas, y responder preguntas sobre "
		    "servicios, precios, horario y dirección. ¿En qué te ayudo?",
		.greeting = "¡Hola%s! Puedo reservar, cancelar o cambiar citas y responder tus "
		    "preguntas. ¿En qué te ayudo?",
		.welcome = ", te damos la bienvenida a %s",
		.thanks = "¡De nada! ¿Te ayudo con algo más?",
		.closed_day = "El %s estamos cerrados.",
		.after_close = "El %s cerramos a las %s; lo más tarde que puedo darte es a las %s.",
		.before_open = "El %s abrimos a las %s.",
		.taken = "El %s a las %s ya está ocupado.",
		.too_soon = "Es demasiado pronto para reservar en línea; lo primero que puedo "
		    "ofrecerte es %s.",
		.nearest = "Las horas libres más cercanas son %s.",
	},
};
