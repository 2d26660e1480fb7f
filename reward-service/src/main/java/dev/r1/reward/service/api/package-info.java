/**
 * REST: {@code POST /v1/rewards/score} ({@code {spec, items: [{completion, reference, prompt?,
 * metadata?}]}} to {@code {results: [{components: {name: {value, weight, status, millis, detail}},
 * total}], spec, millis}}) and {@code GET /v1/rewards/functions}. Errors are RFC 9457 {@code
 * application/problem+json} with a {@code field} property; bodies over {@code
 * r1.reward.api.max-request-size} or with more than {@code r1.reward.api.max-items} items get 413.
 */
package dev.r1.reward.service.api;
