/* test_llm_anthropic.c — the Messages API adapter without a network: the
 * request (system blocks with cache_control on the static prefix only,
 * tools with input_schema, tool results as user tool_result blocks, roles
 * merged to alternate) and replies assembled from recorded event
 * sequences split at every byte (text, tool_use with input_json_delta
 * fragments, usage with cached tokens, error events, cut streams). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/providers/llm_anthropic.c"

#include "llm_assemble.h"

static enum status
assemble(struct arena *a, const char *s, size_t piece, struct llm_response *out,
    struct texts *t, struct err *e)
{
	return assemble_with(a, "anthropic", on_event, finish, "claude-test", s, piece, out, t, e);
}

/* As the API streams a reply with text then a tool call (the event
 * sequence of "Streaming Messages", with a cached prompt). */
static const char tool_stream[] =
    "event: message_start\n"
    "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
    "\"role\":\"assistant\",\"content\":[],\"model\":\"claude-haiku-4-5-20251001\","
    "\"stop_reason\":null,\"usage\":{\"input_tokens\":40,\"cache_creation_input_tokens\":0,"
    "\"cache_read_input_tokens\":2100,\"output_tokens\":1}}}\n\n"
    "event: content_block_start\n"
    "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
    "event: ping\ndata: {\"type\": \"ping\"}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Let me \"}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"look.\"}}\n\n"
    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
    "event: content_block_start\n"
    "data: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\","
    "\"id\":\"toolu_01\",\"name\":\"check_availability\",\"input\":{}}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"date\\\": \\\"2030-\"}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"01-07\\\"}\"}}\n\n"
    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n"
    "event: message_delta\n"
    "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},"
    "\"usage\":{\"output_tokens\":57}}\n\n"
    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

static void
test_text_then_tool_use_every_split(void **state)
{
	(void)state;
	for (size_t piece = 0; piece < sizeof(tool_stream); piece += piece < 50 ? 1 : 61) {
		struct arena a;
		struct llm_response out;
		struct texts t;
		struct err e;

		arena_init(&a, 4096);
		assert_int_equal(assemble(&a, tool_stream, piece, &out, &t, &e), ST_OK);
		assert_string_equal(out.text, "Let me look.");
		assert_string_equal(t.buf, "Let me look.");
		assert_int_equal(out.ntool_calls, 1);
		assert_string_equal(out.tool_calls[0].id, "toolu_01");
		assert_string_equal(out.tool_calls[0].name, "check_availability");
		assert_string_equal(out.tool_calls[0].arguments, "{\"date\": \"2030-01-07\"}");
		assert_true(llm_tool_args_valid(&out.tool_calls[0]));
		/* The whole prompt is input; what came from the cache is cached. */
		assert_int_equal(out.input_tokens, 2140);
		assert_int_equal(out.cached_tokens, 2100);
		assert_int_equal(out.output_tokens, 57);
		assert_string_equal(out.model, "claude-haiku-4-5-20251001");
		assert_string_equal(out.provider, "anthropic");
		arena_free(&a);
	}
}

static void
test_tool_without_deltas_uses_start_input(void **state)
{
	static const char s[] =
	    "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":"
	    "{\"input_tokens\":10,\"output_tokens\":1}}}\n\n"
	    "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
	    "\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_a\",\"name\":\"get_services\",\"input\":{}}}\n\n"
	    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
	    "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},"
	    "\"usage\":{\"output_tokens\":12}}\n\n"
	    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
	struct arena a;
	struct llm_response out;
	struct texts t;
	struct err e;

	(void)state;
	arena_init(&a, 4096);
	assert_int_equal(assemble(&a, s, 9, &out, &t, &e), ST_OK);
	assert_int_equal(out.ntool_calls, 1);
	assert_string_equal(out.tool_calls[0].arguments, "{}");
	assert_string_equal(out.text, "");
	assert_int_equal(out.input_tokens, 10);
	assert_int_equal(out.cached_tokens, 0);
	arena_free(&a);
}

static void
test_malformed_partial_json_flagged(void **state)
{
	static const char s[] =
	    "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
	    "\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_b\",\"name\":\"book_appointment\",\"input\":{}}}\n\n"
	    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
	    "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"slot\\\": \\\"10am\"}}\n\n"
	    "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\"}}\n\n"
	    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
	struct arena a;
	struct llm_response out;
	struct texts t;
	struct err e;

	(void)state;
	arena_init(&a, 4096);
	assert_int_equal(assemble(&a, s, 0, &out, &t, &e), ST_OK);
	assert_string_equal(out.tool_calls[0].arguments, "{\"slot\": \"10am");
	assert_false(llm_tool_args_valid(&out.tool_calls[0]));
	arena_free(&a);
}

static void
test_error_event_mid_stream(void **state)
{
	static const char s[] =
	    "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{}}\n\n"
	    "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
	    "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
	    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
	    "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\"}}\n\n"
	    "event: error\ndata: {\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\","
	    " \"message\": \"Overloaded\"}}\n\n";
	struct arena a;
	struct llm_response out;
	struct texts t;
	struct err e;

	(void)state;
	arena_init(&a, 4096);
	assert_int_equal(assemble(&a, s, 11, &out, &t, &e), ST_UPSTREAM);
	assert_non_null(strstr(e.message, "overloaded_error"));
	assert_string_equal(t.buf, "Hel");
	arena_free(&a);
}

static void
test_cut_before_message_stop_is_an_error(void **state)
{
	static const char s[] =
	    "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{}}\n\n"
	    "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
	    "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n";
	struct arena a;
	struct llm_response out;
	struct texts t;
	struct err e;

	(void)state;
	arena_init(&a, 4096);
	assert_int_equal(assemble(&a, s, 0, &out, &t, &e), ST_UPSTREAM);
	arena_free(&a);
}

static void
test_unknown_blocks_and_events_ignored(void **state)
{
	static const char s[] =
	    "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
	    "\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}\n\n"
	    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
	    "\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"secret plan\"}}\n\n"
	    "event: future_event\ndata: {\"type\":\"future_event\"}\n\n"
	    "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,"
	    "\"content_block\":{\"type\":\"text\",\"text\":\"Hi!\"}}\n\n"
	    "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"}}\n\n"
	    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
	struct arena a;
	struct llm_response out;
	struct texts t;
	struct err e;

	(void)state;
	arena_init(&a, 4096);
	assert_int_equal(assemble(&a, s, 0, &out, &t, &e), ST_OK);
	assert_string_equal(out.text, "Hi!");
	assert_int_equal(out.ntool_calls, 0);
	arena_free(&a);
}

static json_t *
body_of(struct arena *a, const struct llm_request *req)
{
	struct err e;
	char *b;

	err_clear(&e);
	b = request_body(a, req, "claude-haiku-4-5", &e);
	assert_non_null(b);
	return json_loads(b, 0, NULL);
}

static void
test_request_caches_static_system_prefix(void **state)
{
	const struct llm_message msgs[] = { { .role = LLM_USER, .content = "Hi" } };
	const struct llm_tool_def tools[] = {
		{ .name = "get_services", .description = "List services",
		    .parameters = "{\"type\":\"object\",\"properties\":{}}" },
	};
	struct llm_request req = {
		.system_static = "You are the receptionist of Salon X. FAQ: …",
		.system_dynamic = "Now: Monday 2030-01-07 09:00 America/New_York.",
		.messages = msgs, .nmessages = 1, .tools = tools, .ntools = 1,
	};
	struct arena a;
	json_t *j, *sys;

	(void)state;
	arena_init(&a, 4096);
	j = body_of(&a, &req);
	assert_int_equal(json_integer_value(json_object_get(j, "max_tokens")), 1024);
	assert_true(json_is_true(json_object_get(j, "stream")));
	sys = json_object_get(j, "system");
	assert_int_equal(json_array_size(sys), 2);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(sys,
	    0), "cache_control"), "type")), "ephemeral");
	assert_string_equal(json_string_value(json_object_get(json_array_get(sys, 0), "text")),
	    req.system_static);
	/* The part that changes every turn comes after the breakpoint and is
	 * not marked, so it never invalidates the cache. */
	assert_null(json_object_get(json_array_get(sys, 1), "cache_control"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(j, "tools"), 0), "name")), "get_services");
	assert_non_null(json_object_get(json_array_get(json_object_get(j, "tools"), 0),
	    "input_schema"));
	assert_null(json_object_get(json_array_get(json_object_get(j, "tools"), 0), "parameters"));
	json_decref(j);
	arena_free(&a);
}

static void
test_request_tool_round_trip_and_role_merging(void **state)
{
	const struct llm_tool_call calls[] = {
		{ .id = "toolu_1", .name = "check_availability", .arguments = "{\"date\":\"2030-01-07\"}" },
		{ .id = "toolu_2", .name = "get_services", .arguments = "{oops" },
	};
	const struct llm_message msgs[] = {
		{ .role = LLM_ASSISTANT, .content = "Hello! How can I help?" },
		{ .role = LLM_USER, .content = "Haircut Monday?" },
		{ .role = LLM_ASSISTANT, .content = "Checking.", .tool_calls = calls, .ntool_calls = 2 },
		{ .role = LLM_TOOL, .content = "{\"slots\":[\"10:00\"]}", .tool_call_id = "toolu_1" },
		{ .role = LLM_TOOL, .content = "[]", .tool_call_id = "toolu_2" },
		{ .role = LLM_USER, .content = "" },
	};
	struct llm_request req = { .messages = msgs, .nmessages = 6 };
	struct arena a;
	json_t *j, *m, *blocks;

	(void)state;
	arena_init(&a, 4096);
	j = body_of(&a, &req);
	assert_null(json_object_get(j, "system"));
	m = json_object_get(j, "messages");
	/* opener (user), greeting (assistant), user, assistant, tool results (user) */
	assert_int_equal(json_array_size(m), 5);
	assert_string_equal(json_string_value(json_object_get(json_array_get(m, 0), "role")), "user");
	assert_string_equal(json_string_value(json_object_get(json_array_get(m, 1), "role")),
	    "assistant");
	blocks = json_object_get(json_array_get(m, 3), "content");
	assert_int_equal(json_array_size(blocks), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(blocks, 1), "type")),
	    "tool_use");
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(
	    blocks, 1), "input"), "date")), "2030-01-07");
	/* Arguments that are not an object go back as {}. */
	assert_int_equal(json_object_size(json_object_get(json_array_get(blocks, 2), "input")), 0);
	blocks = json_object_get(json_array_get(m, 4), "content");
	assert_string_equal(json_string_value(json_object_get(json_array_get(m, 4), "role")), "user");
	assert_int_equal(json_array_size(blocks), 2);	/* the empty user text is dropped */
	assert_string_equal(json_string_value(json_object_get(json_array_get(blocks, 0), "type")),
	    "tool_result");
	assert_string_equal(json_string_value(json_object_get(json_array_get(blocks, 1),
	    "tool_use_id")), "toolu_2");
	json_decref(j);
	arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_then_tool_use_every_split),
		cmocka_unit_test(test_tool_without_deltas_uses_start_input),
		cmocka_unit_test(test_malformed_partial_json_flagged),
		cmocka_unit_test(test_error_event_mid_stream),
		cmocka_unit_test(test_cut_before_message_stop_is_an_error),
		cmocka_unit_test(test_unknown_blocks_and_events_ignored),
		cmocka_unit_test(test_request_caches_static_system_prefix),
		cmocka_unit_test(test_request_tool_round_trip_and_role_merging),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
