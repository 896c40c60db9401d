/* dispatch.h — the middleware chain every request goes through on a
 * worker thread: route → tenant → handler → error body → metrics → log. */
#ifndef HTTP_DISPATCH_H
#define HTTP_DISPATCH_H

#include <stdint.h>

#include "http/http.h"

struct app;

void http_dispatch(struct app *app, struct request *r, struct response *w);
/* Finishes a response that never reached a handler (503 on a full queue,
 * errors produced by the HTTP engine itself): metrics and access log. */
void http_finish(struct app *app, struct request *r, struct response *w,
    uint64_t start_us);
uint64_t http_now_us(void);

#endif
