/* test_llm_openai.c — the Chat Completions adapter without a network:
 * request bodies as the API documents them, and replies assembled from
 * recorded stream sequences split at every byte (text deltas, tool calls
 * whose arguments arrive in fragments, parallel calls, malformed
 * arguments, usage, errors in the stream, streams cut short, Gemini's
 * compatibility endpoint under its own name), plus the HTTP error mapping
 * every adapter shares. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/providers/llm_openai.c"

#include "llm_assemble.h"

/* Google's documented base URL for the compatibility endpoint. */
#define LLM_TEST_GEMINI_BASE "https://generativelanguage.googleapis.com/v1beta/openai/"

static enum status
assemble(struct arena *a, const char *s, size_t piece, struct llm_response *out,
    struct texts *t, struct err *e)
{
	return assemble_with(a, "openai", on_event, llm_asm_finish, "gpt-test", s, piece, out, t, e);
}

static const char text_stream[] =
    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini-2024\","
    "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
    "\"finish_reason\":null}],\"usage\":null}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"We're open \"},"
    "\"finish_reason\":null}],\"usage\":null}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"9\\u20135 \\u00e9\"},"
    "\"finish_reason\":null}],\"usage\":null}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n"
    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1200,\"completion_tokens\":9,"
    "\"prompt_tokens_details\":{\"cached_tokens\":1024}}}\n\n"
    "data: [DONE]\n\n";

static void
test_text_deltas_and_usage_every_split(void **state)
{
	(void)state;
	for (size_t piece = 0; piece < sizeof(text_stream); piece += piece < 40 ? 1 : 37) {
		struct arena a;
		struct llm_response out;
		struct texts t;
		struct err e;

		arena_init(&a, 4096);
		assert_int_equal(assemble(&a, text_stream, piece, &out, &t, &e), ST_OK);
		assert_string_equal(out.text, "We're open 9\xE2\x80\x93" "5 \xC3\xA9");
		assert_string_equal(t.buf, out.text);	/* streamed exactly what was kept */
		assert_int_equal(t.calls, 2);		/* the empty first delta is not a call */
		assert_int_equal(out.ntool_calls, 0);
		assert_int_equal(out.input_tokens, 1200);
		assert_int_equal(out.output_tokens, 9);
		assert_int_equal(out.cached_tokens, 1024);
		assert_string_equal(out.model, "gpt-4o-mini-2024");
		assert_string_equal(out.provider, "openai");
		arena_free(&a);
	}
}

/* A tool call whose JSON arguments arrive in five fragments, split inside
 * a key and inside an escaped string, after some text. */
static const char tool_stream[] =
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Let me check.\"}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_abc\","
    "\"type\":\"function\",\"function\":{\"name\":\"check_availability\",\"arguments\":\"\"}}]}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
    "\"function\":{\"arguments\":\"{\\\"serv\"}}]}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
    "\"function\":{\"arguments\":\"ice\\\":\\\"Hair\"}}]}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
    "\"function\":{\"arguments\":\"cut \\\\\\\"deluxe\\\\\\\"\\\",\"}}]}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
    "\"function\":{\"arguments\":\"\\\"date\\\":\\\"2030-01-07\\\"\"}}]}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
    "\"function\":{\"arguments\":\"}\"}}]}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
    "data: [DONE]\n\n";

static void
test_tool_call_fragments_concatenated_every_split(void **state)
{
	(void)state;
	for (size_t piece = 0; piece < sizeof(tool_stream); piece += piece < 60 ? 1 : 53) {
		struct arena a;
		struct llm_response out;
		struct texts t;
		struct err e;

		arena_init(&a, 4096);
		assert_int_equal(assemble(&a, tool_stream, piece, &out, &t, &e), ST_OK);
		assert_string_equal(out.text, "Let me check.");
		assert_int_equal(out.ntool_calls, 1);
		assert_string_equal(out.tool_calls[0].id, "call_abc");
		assert_string_equal(out.tool_calls[0].name, "check_availability");
		assert_string_equal(out.tool_calls[0].arguments,
		    "{\"service\":\"Haircut \\\"deluxe\\\"\",\"date\":\"2030-01-07\"}");
		assert_true(llm_tool_args_valid(&out.tool_calls[0]));
		arena_free(&a);
	}
}

static void
test_parallel_tool_calls_by_index(void **state)
{
	static const char s[] =
	    "data: {\"choices\":[{\"delta\":{\"tool_calls\":["
	    "{\"index\":0,\"id\":\"call_1\",\"function\":{\"name\":\"get_services\",\"arguments\":\"{\"}},"
	    "{\"index\":1,\"id\":\"call_2\",\"function\":{\"name\":\"search_faqs\",\"arguments\":\"{\\\"q\"}}"
	    "]}}]}\n\n"
	    "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":"
	    "\"\\\":\\\"parking\\\"}\"}},{\"index\":0,\"function\":{\"arguments\":\"}\"}}]}}]}\n\n"
	    "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
	    "data: [DONE]\n\n";
	struct arena a;
	struct llm_response out;
	struct texts t;
	struct err e;

	(void)state;
	arena_init(&a, 4096);
	assert_int_equal(assemble(&a, s, 7, &out, &t, &e), ST_OK);
	assert_int_equal(out.ntool_calls, 2);
	assert_string_equal(out.tool_calls[0].name, "get_services");
	assert_string_equal(out.tool_calls[0].arguments, "{}");
	assert_string_equal(out.tool_calls[1].id, "call_2");
	assert_string_equal(out.tool_calls[1].arguments, "{\"q\":\"parking\"}");
	assert_int_equal(t.calls, 0);
	arena_free(&a);
}

static void
test_index_reused_with_new_id_is_a_new_call(void **state)
{
	/* Ollama's compatible endpoint numbers every parallel call 0. */
	static const char s[] =
	    "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"a\","
	    "\"function\":{\"name\":\"get_services\",\"arguments\":\"{}\"}}]}}]}\n\n"
	    "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"b\","
	    "\"function\":{\"name\":\"get_business_info\",\"arguments\":\"{}\"}}]}}]}\n\n"
	    "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
	    "data: [DONE]\n\n";
	struct arena a;
	struct llm_response out;
	struct texts t;
	struct err e;

	(void)state;
	arena_init(&a, 4096);
	assert_int_equal(assemble(&a, s, 0, &out, &t, &e), ST_OK);
	assert_int_equal(out.ntool_calls, 2);
	assert_string_equal(out.tool_calls[0].id, "a");
	assert_string_equal(out.tool_calls[1].id, "b");
	assert_string_equal(out.tool_calls[1].name, "get_business_info");
	arena_free(&a);
}

static void
test_malformed_arguments_returned_raw_and_flagged(void **state)
{
	/* The model's JSON is broken: the call comes back exactly as sent,
	 * and llm_tool_args_valid says so, for the engine to refuse. */
	static const char s[] =
	    "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_x\","
	    "\"function\":{\"name\":\"book_appointment\",\"arguments\":\"{\\\"slot\\\": 2030-01-07T10:00\"}}]}}]}\n\n"
	    "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
	    "data: [DONE]\n\n";
	struct arena a;
	struct llm_response out;
	struct texts t;
	struct err e;
	struct llm_tool_call arr = { .arguments = "[1,2]" }, str = { .arguments = "\"x\"" };

	(void)state;
	arena_init(&a, 4096);
	assert_int_equal(assemble(&a, s, 5, &out, &t, &e), ST_OK);
	assert_int_equal(out.ntool_calls, 1);
	assert_string_equal(out.tool_calls[0].arguments, "{\"slot\": 2030-01-07T10:00");
	assert_false(llm_tool_args_valid(&out.tool_calls[0]));
	/* Valid JSON that is not an object is not arguments either. */
	assert_false(llm_tool_args_valid(&arr));
	assert_false(llm_tool_args_valid(&str));
	assert_false(llm_tool_args_valid(NULL));
	arena_free(&a);
}

static void
test_truncated_tool_call_with_length_finish(void **state)
{
	/* max_tokens hit mid-arguments: a finished reply, arguments invalid. */
	static const char s[] =
	    "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\","
	    "\"function\":{\"name\":\"hold_slot\",\"arguments\":\"{\\\"slot_id\\\":\\\"ab\"}}]}}]}\n\n"
	    "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"length\"}]}\n\n";
	struct arena a;
	struct llm_response out;
	struct texts t;
	struct err e;

	(void)state;
	arena_init(&a, 4096);
	assert_int_equal(assemble(&a, s, 0, &out, &t, &e), ST_OK);
	assert_false(llm_tool_args_valid(&out.tool_calls[0]));
	arena_free(&a);
}

static void
test_stream_cut_short_is_an_error(void **state)
{
	static const char s[] =
	    "data: {\"choices\":[{\"delta\":{\"content\":\"Sure, I can\"}}]}\n\n"
	    "data: {\"choices\":[{\"delta\":{\"content\":\" book\"";
	struct arena a;
	struct llm_response out;
	struct texts t;
	struct err e;

	(void)state;
	arena_init(&a, 4096);
	assert_int_equal(assemble(&a, s, 0, &out, &t, &e), ST_UPSTREAM);
	assert_non_null(strstr(e.message, "ended before"));
	assert_string_equal(t.buf, "Sure, I can");	/* what was streamed stays streamed */
	arena_free(&a);
}

static void
test_error_inside_stream(void **state)
{
	static const char s[] =
	    "data: {\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\"}}\n\n";
	struct arena a;
	struct llm_response out;
	struct texts t;
	struct err e;

	(void)state;
	arena_init(&a, 4096);
	assert_int_equal(assemble(&a, s, 3, &out, &t, &e), ST_UPSTREAM);
	assert_non_null(strstr(e.message, "The server had an error"));
	arena_free(&a);
}

static void
test_non_json_event_is_an_error(void **state)
{
	struct arena a;
	struct llm_response out;
	struct texts t;
	struct err e;

	(void)state;
	arena_init(&a, 4096);
	assert_int_equal(assemble(&a, "data: {not json\n\n", 0, &out, &t, &e), ST_UPSTREAM);
	arena_free(&a);
}

static void
test_request_body_shape(void **state)
{
	const struct llm_tool_call calls[] = {
		{ .id = "call_1", .name = "check_availability", .arguments = "{\"date\":\"2030-01-07\"}" },
	};
	const struct llm_message msgs[] = {
		{ .role = LLM_USER, .content = "Haircut tomorrow?" },
		{ .role = LLM_ASSISTANT, .content = NULL, .tool_calls = calls, .ntool_calls = 1 },
		{ .role = LLM_TOOL, .content = "{\"slots\":[]}", .tool_call_id = "call_1",
		    .tool_name = "check_availability" },
	};
	const struct llm_tool_def tools[] = {
		{ .name = "check_availability", .description = "Free slots",
		    .parameters = "{\"type\":\"object\",\"properties\":{\"date\":{\"type\":\"string\"}}}" },
	};
	struct llm_request req = {
		.system_static = "You are the receptionist of Salon X.",
		.system_dynamic = "Today is 2030-01-06.",
		.messages = msgs, .nmessages = 3, .tools = tools, .ntools = 1, .max_tokens = 300,
	};
	struct arena a;
	struct err e;
	char *body;
	json_t *j, *m;

	(void)state;
	arena_init(&a, 4096);
	body = request_body(&a, &req, "gpt-4o-mini", true, &e);
	assert_non_null(body);
	j = json_loads(body, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "model")), "gpt-4o-mini");
	assert_true(json_is_true(json_object_get(j, "stream")));
	assert_true(json_is_true(json_object_get(json_object_get(j, "stream_options"),
	    "include_usage")));
	assert_int_equal(json_integer_value(json_object_get(j, "max_tokens")), 300);
	m = json_object_get(j, "messages");
	assert_int_equal(json_array_size(m), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(m, 0), "role")),
	    "system");
	assert_string_equal(json_string_value(json_object_get(json_array_get(m, 0), "content")),
	    "You are the receptionist of Salon X.\n\nToday is 2030-01-06.");
	assert_true(json_is_null(json_object_get(json_array_get(m, 2), "content")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(
	    json_object_get(json_array_get(m, 2), "tool_calls"), 0), "function"), "arguments")),
	    "{\"date\":\"2030-01-07\"}");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(json_array_get(m, 2), "tool_calls"), 0), "type")), "function");
	assert_string_equal(json_string_value(json_object_get(json_array_get(m, 3), "role")), "tool");
	assert_string_equal(json_string_value(json_object_get(json_array_get(m, 3),
	    "tool_call_id")), "call_1");
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(
	    json_object_get(j, "tools"), 0), "function"), "name")), "check_availability");
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(
	    json_array_get(json_object_get(j, "tools"), 0), "function"), "parameters"), "type")),
	    "object");
	json_decref(j);
	arena_free(&a);
}

static void
test_request_body_rejects_bad_schema(void **state)
{
	const struct llm_tool_def tools[] = { { .name = "x", .parameters = "{oops" } };
	struct llm_request req = { .tools = tools, .ntools = 1 };
	struct arena a;
	struct err e;

	(void)state;
	arena_init(&a, 1024);
	err_clear(&e);
	assert_null(request_body(&a, &req, "m", true, &e));
	assert_non_null(strstr(e.message, "tool x"));
	arena_free(&a);
}

static void
test_chat_url_for_compatible_servers(void **state)
{
	struct arena a;

	(void)state;
	arena_init(&a, 1024);
	assert_string_equal(chat_url(&a, "https://api.openai.com"),
	    "https://api.openai.com/v1/chat/completions");
	assert_string_equal(chat_url(&a, "https://api.openai.com/"),
	    "https://api.openai.com/v1/chat/completions");
	assert_string_equal(chat_url(&a, "http://127.0.0.1:11434"),
	    "http://127.0.0.1:11434/v1/chat/completions");
	assert_string_equal(chat_url(&a, "https://openrouter.ai/api/v1"),
	    "https://openrouter.ai/api/v1/chat/completions");
	assert_string_equal(chat_url(&a, "https://generativelanguage.googleapis.com/v1beta/openai/"),
	    "https://generativelanguage.googleapis.com/v1beta/openai/chat/completions");
	assert_string_equal(chat_url(&a, "https://example.test/llm"),
	    "https://example.test/llm/v1/chat/completions");
	/* A host named v1 is not a version segment. */
	assert_string_equal(chat_url(&a, "http://v1"), "http://v1/v1/chat/completions");
	arena_free(&a);
}

/* Gemini's compatibility endpoint, as the adapter named "gemini": a tool
 * call may arrive whole in one chunk, and usage may ride on the last chunk
 * with choices rather than on a separate one — both are read, whatever the
 * split. */
static const char gemini_stream[] =
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
    "\"tool_calls\":[{\"index\":0,\"id\":\"call_g1\",\"type\":\"function\","
    "\"function\":{\"name\":\"check_availability\","
    "\"arguments\":\"{\\\"date\\\":\\\"2030-01-07\\\"}\"}}]}}],"
    "\"model\":\"gemini-2.5-flash\",\"object\":\"chat.completion.chunk\"}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}],"
    "\"model\":\"gemini-2.5-flash\",\"object\":\"chat.completion.chunk\","
    "\"usage\":{\"prompt_tokens\":812,\"completion_tokens\":21,\"total_tokens\":833}}\n\n"
    "data: [DONE]\n\n";

static void
test_gemini_adapter_name_whole_tool_call_and_usage_on_last_chunk(void **state)
{
	struct llm_remote_config rc = { .api_key = "AIza-test", .base_url = LLM_TEST_GEMINI_BASE,
		.model = "gemini-2.5-flash", .timeout_ms = 1000, .first_byte_timeout_ms = 1000 };
	struct arena a;
	struct llm_provider *p;

	(void)state;
	arena_init(&a, 4096);
	p = llm_gemini_new(&a, &rc);
	assert_string_equal(p->name, "gemini");
	assert_non_null(llm_remote_call_info(p));	/* a remote adapter: the breaker reads it */
	assert_string_equal(chat_url(&a, rc.base_url),
	    "https://generativelanguage.googleapis.com/v1beta/openai/chat/completions");
	for (size_t piece = 0; piece < sizeof(gemini_stream); piece += piece < 40 ? 1 : 23) {
		struct llm_response out;
		struct texts t;
		struct err e;

		assert_int_equal(assemble_with(&a, p->name, on_event, llm_asm_finish,
		    "gemini-2.5-flash", gemini_stream, piece, &out, &t, &e), ST_OK);
		assert_string_equal(out.provider, "gemini");
		assert_string_equal(out.model, "gemini-2.5-flash");
		assert_int_equal(out.ntool_calls, 1);
		assert_string_equal(out.tool_calls[0].id, "call_g1");
		assert_string_equal(out.tool_calls[0].name, "check_availability");
		assert_string_equal(out.tool_calls[0].arguments, "{\"date\":\"2030-01-07\"}");
		assert_int_equal(out.input_tokens, 812);
		assert_int_equal(out.output_tokens, 21);
		assert_int_equal(out.cached_tokens, 0);
	}
	arena_free(&a);
}

static void
test_http_error_mapping(void **state)
{
	struct llm_http_result r = { 0 };
	struct llm_call_info info;
	struct err e;

	(void)state;
	err_clear(&e);
	r.status = 401;
	r.error_body = "{\"error\":{\"message\":\"Incorrect API key provided: sk-abc***xyz\"}}";
	r.error_len = strlen(r.error_body);
	assert_int_equal(llm_http_error("openai", &r, &info, &e), ST_UPSTREAM);
	assert_non_null(strstr(e.message, "provider rejected the key"));
	assert_null(strstr(e.message, "sk-"));	/* never echo what the provider said */
	assert_true(info.caller_fault);

	err_clear(&e);
	r.status = 429;
	r.retry_after_s = 7;
	r.error_body = "{\"error\":{\"message\":\"Rate limit reached\"}}";
	r.error_len = strlen(r.error_body);
	assert_int_equal(llm_http_error("openai", &r, &info, &e), ST_UPSTREAM);
	assert_int_equal(e.retry_after, 7);
	assert_non_null(strstr(e.message, "retry after 7 s"));
	assert_false(info.caller_fault);

	err_clear(&e);
	r.status = 503;
	r.retry_after_s = 0;
	assert_int_equal(llm_http_error("anthropic", &r, &info, &e), ST_UPSTREAM);
	assert_false(info.caller_fault);

	err_clear(&e);
	r.status = 400;
	r.error_body = "{\"error\":{\"message\":\"Invalid 'tools[0]'\\nbad\"}}";
	r.error_len = strlen(r.error_body);
	assert_int_equal(llm_http_error("openai", &r, &info, &e), ST_UPSTREAM);
	assert_non_null(strstr(e.message, "Invalid 'tools[0]' bad"));	/* one line */
	assert_true(info.caller_fault);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_deltas_and_usage_every_split),
		cmocka_unit_test(test_tool_call_fragments_concatenated_every_split),
		cmocka_unit_test(test_parallel_tool_calls_by_index),
		cmocka_unit_test(test_index_reused_with_new_id_is_a_new_call),
		cmocka_unit_test(test_malformed_arguments_returned_raw_and_flagged),
		cmocka_unit_test(test_truncated_tool_call_with_length_finish),
		cmocka_unit_test(test_stream_cut_short_is_an_error),
		cmocka_unit_test(test_error_inside_stream),
		cmocka_unit_test(test_non_json_event_is_an_error),
		cmocka_unit_test(test_request_body_shape),
		cmocka_unit_test(test_request_body_rejects_bad_schema),
		cmocka_unit_test(test_chat_url_for_compatible_servers),
		cmocka_unit_test(test_gemini_adapter_name_whole_tool_call_and_usage_on_last_chunk),
		cmocka_unit_test(test_http_error_mapping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
