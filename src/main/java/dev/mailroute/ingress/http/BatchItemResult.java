package dev.mailroute.ingress.http;

import java.util.List;

import dev.mailroute.accept.Problem;

/** What became of one item of a batch: queued with its id, or rejected with its problems. */
public record BatchItemResult(int index, String status, String id, List<Problem> problems) {
}
