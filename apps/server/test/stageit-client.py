"""Does what LOFAR's stager_access client does, with the same HTTP calls, against Stagecoach.

Usage: stageit-client.py <base url> <api token> <surl> [<surl> ...]
Prints one JSON object describing every answer, for the test to check.
"""
import datetime
import json
import sys
import time

import requests

base, token, surls = sys.argv[1], sys.argv[2], sys.argv[3:]
rest = base + "/stageit/api/staging/requests/"
gql = base + "/stageit/api/staging/graphql/"
headers = {"Authorization": "Token {0}".format(token), "Content-Type": "application/json"}


def call(method, endpoint, data):
    response = requests.request(method, rest + endpoint, json=data, headers=headers)
    response.raise_for_status()
    # StageIT answers 202 with an empty body
    return None if response.status_code == 202 else response.json()


def query(text, *keys):
    response = requests.post(gql, json={"query": text}, headers=headers)
    response.raise_for_status()
    body = response.json()
    if body.get("errors"):
        return {"error": body["errors"][0]["message"]}
    for key in keys:
        body = body.get(key)
    return body


out = {}
stage_id = call("post", "", {"surls": surls, "notify": False, "request_type": "stage"})["id"]
out["id"] = stage_id

deadline = time.time() + 30
while True:
    status = query("\n{\n  request(id: %d) {\n    currentStatus\n  }\n}\n" % stage_id, "data", "request", "currentStatus")
    if status == "success" or time.time() > deadline:
        break
    time.sleep(0.1)
out["status"] = status
response = json.loads(query("{ request(id: %d) { response } }" % stage_id, "data", "request", "response"))
out["online"] = response.get("online", [])
out["progressing"] = response.get("progressing", [])
out["failed"] = list(response.get("errors", {}).keys())
out["surls"] = [s.get("surl", "") for s in query("{ request(id: %d) { surls { surl } } }" % stage_id, "data", "request", "surls")]
out["token"] = query("{ request(id: %d) { requestToken } }" % stage_id, "data", "request", "requestToken")
macaroons = query(
    "{ request(id: %d) { macaroons { content, validUntil, ltaSite { name } } } }" % stage_id, "data", "request", "macaroons"
)
out["macaroons"] = [{m.get("ltaSite").get("name", ""): m.get("content", "")} for m in macaroons]
out["webdav"] = call("get", str(stage_id) + "/convert2webdav/", {})
try:
    call("get", str(stage_id) + "/convert2gridftp/", {})
    out["gridftp"] = "answered"
except requests.HTTPError as e:
    out["gridftp"] = e.response.status_code

progress = "{{\n  requests(when_Gte:\"{0}\"{1}) {{\n    edges {{\n    \tnode {{\n            id,\n            requestToken,\n            requestType,\n            when,\n            response,\n            currentStatusCode,\n            surls {{\n              surl\n            }}\n      }}\n    }}\n  }}\n}}"
nodes = query(progress.format(datetime.datetime.min.isoformat(), ""), "data", "requests", "edges")
out["progress_all"] = sorted(n["node"]["id"] for n in nodes)
nodes = query(progress.format(datetime.datetime.min.isoformat(), ", currentStatusCode: C"), "data", "requests", "edges")
out["progress_completed"] = sorted(n["node"]["id"] for n in nodes)
nodes = query(progress.format(datetime.datetime.min.isoformat(), ", currentStatusCode_Ne: C"), "data", "requests", "edges")
out["progress_not_completed"] = sorted(n["node"]["id"] for n in nodes)

# A second request, aborted at once.
second = call("post", "", {"surls": surls[:1], "notify": False, "request_type": "stage"})["id"]
out["abort"] = call("put", str(second) + "/abort/", {})
out["aborted_status"] = query("{ request(id: %d) { currentStatus currentStatusCode } }" % second, "data", "request")
print(json.dumps(out))
