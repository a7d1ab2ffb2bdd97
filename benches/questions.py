#!/usr/bin/env python3
"""Questions (issue 7): `POST /-/api/questions` and `POST /-/api/questions/<slug>/answers` latency on a
10,000-page, 20,000-commit repository. Each request is one commit on the branch.

--asks questions are asked one after another on one keep-alive connection, then --answers answers spread
round-robin over them; p50/p99 of each. `GET /-/api/questions` (the list) is timed afterwards.

Usage: benches/questions.py [--corpus DIR] [--asks 200] [--answers 200] [--lore BIN] [--json F]
"""

import sys

sys.dont_write_bytecode = True

import lorebench as lb  # noqa: E402

AUTHOR = {"name": "Bench Asker", "email": "asker@example.com"}
BODY = ("We rotate the payment gateway certificates every quarter. What is the procedure when the vendor "
        "sends the new certificate late, and who has to approve the change window?\n\n"
        "I tried the runbook in `payments/` but it stops after step 4.\n")


def post_many(client, n, path_of, body_of):
    samples, statuses, answers = [], {}, []
    for i in range(n):
        status, _, data, took = client.request("POST", path_of(i), body_of(i))
        statuses[status] = statuses.get(status, 0) + 1
        if status == 201:
            samples.append(took)
            answers.append(lb.json.loads(data))
        else:
            lb.log(f"{path_of(i)}: {status} {data[:200]!r}")
    return samples, statuses, answers


def main():
    p = lb.arg_parser(__doc__.splitlines()[0], 10000, 20000)
    p.add_argument("--asks", type=int, default=200)
    p.add_argument("--answers", type=int, default=200)
    args = p.parse_args()
    corpus, meta, work, repo = lb.prepare(args, "questions")
    res = lb.Results("Questions (issue 7)")
    res.add("repository", f"{meta['pages']} pages, {meta['commits']} commits")
    lore = lb.Lore(args.lore, repo, work / "data", work)
    lore.start()
    client = lore.client()

    def ask(i):
        return {"title": f"How do we rotate certificate batch {i} when the vendor is late?", "body": BODY,
                "tags": ["payments", "certificates"], "author": AUTHOR}

    post_many(client, 10, lambda i: "/-/api/questions", lambda i: {**ask(i), "title": f"Warm-up question {i}?"})
    samples, statuses, created = post_many(client, args.asks, lambda i: "/-/api/questions", ask)
    for label, q, target in (("p50", 50, None), ("p99", 99, None)):
        res.add(f"POST /-/api/questions {label}", lb.ms(lb.pct(samples, q)))
    res.add("POST /-/api/questions distribution", lb.dist(samples) + f", statuses {statuses}")
    slugs = [it["slug"] for it in created]
    samples, statuses, _ = post_many(
        client, args.answers, lambda i: f"/-/api/questions/{slugs[i % len(slugs)]}/answers",
        lambda i: {"body": f"Answer {i}: ask the payments on-call to approve a change window, then follow "
                           f"steps 5 to 9 of the runbook.\n", "author": AUTHOR})
    res.add("POST /-/api/questions/<slug>/answers p50", lb.ms(lb.pct(samples, 50)))
    res.add("POST /-/api/questions/<slug>/answers p99", lb.ms(lb.pct(samples, 99)))
    res.add("POST answers distribution", lb.dist(samples) + f", statuses {statuses}")
    listed = lb.timed_gets(client, "/-/api/questions", 100)
    n_questions = len(client.get_json("/-/api/questions")["questions"])
    res.add(f"GET /-/api/questions ({n_questions} questions)", lb.dist(listed))
    res.add("server memory (VmRSS / VmHWM)", f"{lore.rss_mib():.0f} / {lore.rss_mib('VmHWM'):.0f} MiB")
    client.close()
    lore.stop()
    res.print(args.json)


if __name__ == "__main__":
    main()
