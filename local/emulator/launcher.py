"""The AWS emulator for the deploy suite and `npm run emulator`: moto's server, in this process, whose Lambda
invoke runs the deployed code package in Node instead of Docker (absent on these machines).

    python3 local/emulator/launcher.py [--port 0] [--appfabric-endpoint URL]

Prints one line `EMULATOR http://127.0.0.1:<port>` once it serves, then runs until stdin closes (the parent
exits) or SIGTERM/SIGINT. Everything else it prints goes to stderr.

What it changes in moto, and nothing else:
- Step Functions executes state machines (moto's `stepfunctions.execute_state_machine` config), those that
  CloudFormation creates included.
- `LambdaFunction._invoke_lambda` (moto's Docker path): the function's zip, as moto holds it from the asset the
  CDK uploaded, is extracted once per code hash and served by `lambda-runner.ts`, a Node process started with the
  function's configured environment plus endpoint variables (AWS_ENDPOINT_URL → this emulator,
  AWS_ENDPOINT_URL_APPFABRIC → the stand-in). A handler error comes back as Lambda's `{errorType, errorMessage}`
  payload with `FunctionError`, so Step Functions' Retry and Catch see the error names.
- StartExecution copies a state machine without its past executions (moto copies those too, and fails on
  their locks from the second execution on).
- EventBridge targets that are state machines (moto raises NotImplementedError for them): StartExecution with the
  event as the target's InputPath / Input selects it, as EventBridge does.
"""

from __future__ import annotations

import argparse
import atexit
import copy
import hashlib
import io
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
import uuid
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT_ROOT = os.path.dirname(os.path.dirname(HERE))
RUNNER = os.path.join(HERE, "lambda-runner.ts")


def log(message: str) -> None:
    print(f"[emulator] {message}", file=sys.stderr, flush=True)


class NodeRunners:
    """One Node process per deployed code package and configuration, started on first invoke."""

    def __init__(self, emulator_url: str, appfabric_endpoint: str | None) -> None:
        self.emulator_url = emulator_url
        self.appfabric_endpoint = appfabric_endpoint
        self.workdir = tempfile.mkdtemp(prefix="emulator-lambda-")
        self.lock = threading.Lock()
        self.runners: dict[str, tuple[subprocess.Popen, int]] = {}
        self.invocations = 0

    def environment(self, fn) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", "/tmp"),
            # Keep the runner's tsx cache inside the project's temp rules.
            "TMPDIR": os.environ.get("TMPDIR", "/tmp"),
            "_HANDLER": fn.handler,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{fn.run_time}",
            "AWS_LAMBDA_FUNCTION_NAME": fn.function_name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory_size),
            "AWS_LAMBDA_FUNCTION_VERSION": str(fn.version),
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(fn.timeout),
            "AWS_REGION": fn.region,
            "AWS_DEFAULT_REGION": fn.region,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
        }
        env.update({k: str(v) for k, v in (fn.environment_vars or {}).items()})
        # The emulator for every AWS service the code calls, the stand-in for AppFabric.
        env["AWS_ENDPOINT_URL"] = self.emulator_url
        if self.appfabric_endpoint:
            env["AWS_ENDPOINT_URL_APPFABRIC"] = self.appfabric_endpoint
        return env

    def runner_for(self, fn) -> int:
        env = self.environment(fn)
        key = hashlib.sha256(
            (fn.function_arn + fn.code_sha_256 + json.dumps(env, sort_keys=True)).encode()
        ).hexdigest()[:16]
        with self.lock:
            known = self.runners.get(key)
            if known and known[0].poll() is None:
                return known[1]
            code_dir = os.path.join(self.workdir, key)
            if not os.path.isdir(code_dir):
                with zipfile.ZipFile(io.BytesIO(fn.code_bytes)) as z:
                    z.extractall(code_dir)
            proc = subprocess.Popen(
                ["node", "--import", "tsx", RUNNER, code_dir],
                cwd=PROJECT_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=sys.stderr,
                text=True,
            )
            first = proc.stdout.readline().strip()
            if not first.startswith("RUNNER "):
                raise RuntimeError(f"lambda runner did not start: {first!r}")
            port = int(first.split()[1])
            # The function's own log lines (Powertools JSON) go to stderr, as CloudWatch Logs would hold them.
            threading.Thread(target=self._drain, args=(proc,), daemon=True).start()
            self.runners[key] = (proc, port)
            log(f"runner for {fn.function_name} on port {port} ({fn.handler}, {len(fn.code_bytes)} bytes)")
            return port

    @staticmethod
    def _drain(proc: subprocess.Popen) -> None:
        for line in proc.stdout:
            if os.environ.get("EMULATOR_LAMBDA_LOGS"):
                sys.stderr.write(line)

    def invoke(self, fn, event) -> tuple[str, bool, str]:
        port = self.runner_for(fn)
        body = json.dumps(event if event is not None else {}).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/invoke",
            data=body,
            headers={"content-type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=int(fn.timeout) + 30) as response:
            answer = json.loads(response.read())
        self.invocations += 1
        return json.dumps(answer["payload"]), not answer["ok"], ""

    def close(self) -> None:
        for proc, _ in self.runners.values():
            if proc.poll() is None:
                proc.terminate()
        for proc, _ in self.runners.values():
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()


# State machines moto's ASL parser refuses (ARN → why), created for CloudFormation but not executable.
not_executable: dict[str, str] = {}


def unparsed_reason(message: str) -> str:
    """The fields moto's grammar lacks, from its ASLParserException ('… at "ItemBatcher", mismatched …')."""
    import re

    fields = re.findall(r'at \\?"([A-Za-z]+)\\?", mismatched input', message)
    # The first is the cause; the parser reports the fields after it only because it lost its place.
    first = fields[0] if fields else message[:200]
    return f"moto's ASL grammar (moto.stepfunctions.parser.asl.antlr) has no {first}"


def patch_moto(runners: NodeRunners) -> None:
    from moto.awslambda.models import LambdaFunction
    from moto.core.config import default_user_config
    from moto.events import models as events_models

    from moto.stepfunctions import models as sfn_models
    from moto.stepfunctions.parser.api import InvalidDefinition
    from moto.stepfunctions.exceptions import ValidationException
    from moto.stepfunctions.models import StepFunctionBackend
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend, stepfunctions_parser_backends

    default_user_config["stepfunctions"]["execute_state_machine"] = True
    # The API then serves the executing backend, but CloudFormation creates state machines in the plain one:
    # point CloudFormation's lookup at the executing backend too (it also parses each definition as ASL).
    sfn_models.stepfunctions_backends = stepfunctions_parser_backends
    parser_create = StepFunctionsParserBackend.create_state_machine

    def create_state_machine(self, name, definition, roleArn, *args, **kwargs):
        # moto's ASL grammar lacks some constructs (ItemBatcher): keep such a state machine as plain moto
        # would (describable, not executable) instead of failing the whole deploy. docs/emulator.md lists them.
        try:
            return parser_create(self, name, definition, roleArn, *args, **kwargs)
        except InvalidDefinition as e:
            reason = unparsed_reason(str(e))
            log(f"state machine {name}: created, not executable: {reason}")
            machine = StepFunctionBackend.create_state_machine(self, name, definition, roleArn, *args, **kwargs)
            not_executable[machine.arn] = reason
            return machine

    StepFunctionsParserBackend.create_state_machine = create_state_machine
    parser_start = StepFunctionsParserBackend.start_execution

    def start_execution(self, state_machine_arn, *args, **kwargs):
        # moto would accept the execution and leave it RUNNING forever (its worker thread dies parsing).
        if state_machine_arn in not_executable:
            raise ValidationException(f"the emulator cannot execute this state machine: {not_executable[state_machine_arn]}")
        return parser_start(self, state_machine_arn, *args, **kwargs)

    StepFunctionsParserBackend.start_execution = start_execution

    def clone_state_machine(self, memo):
        # StartExecution deep-copies the state machine, its past executions (whose workers hold locks) and
        # backend included: every StartExecution after the first in a region fails with "cannot pickle
        # '_thread.RLock' object". The execution needs the definition and configuration only.
        clone = copy.copy(self)
        for key, value in vars(self).items():
            if key == "executions":
                clone.executions = []
            elif key not in ("backend", "versions", "aliases", "latest_version"):
                setattr(clone, key, copy.deepcopy(value, memo))
        return clone

    sfn_models.StateMachine.__deepcopy__ = clone_state_machine

    def invoke_in_node(self, event=None):
        try:
            return runners.invoke(self, event)
        except (OSError, RuntimeError, urllib.error.URLError, ValueError) as e:
            log(f"invoke of {self.function_name} failed: {e}")
            payload = {"errorType": "Lambda.ServiceException", "errorMessage": str(e)}
            return json.dumps(payload), True, ""

    LambdaFunction._invoke_lambda = invoke_in_node

    original_send = events_models.Rule.send_to_targets

    def send_to_targets(self, original_event, transform_input=True):
        if not self.event_pattern.matches_event(original_event):
            return
        others = [t for t in self.targets if ":states:" not in t["Arn"]]
        for target in self.targets:
            if ":states:" in target["Arn"]:
                try:
                    start_from_rule(target, original_event)
                except Exception as e:  # EventBridge would retry, then use the DLQ: both out of scope here.
                    log(f"rule target {target['Arn']}: StartExecution failed: {e}")
        if others:
            saved = self.targets
            self.targets = others
            try:
                original_send(self, original_event, transform_input)
            finally:
                self.targets = saved

    events_models.Rule.send_to_targets = send_to_targets


def start_from_rule(target: dict, event: dict) -> None:
    """StartExecution as EventBridge's Step Functions target does: Input, else InputPath, else the event."""
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends
    from moto.utilities.arns import parse_arn

    if "Input" in target:
        payload = json.loads(target["Input"])
    elif "InputPath" in target:
        payload = event
        for part in [p for p in target["InputPath"].lstrip("$").split(".") if p]:
            payload = payload.get(part) if isinstance(payload, dict) else None
    else:
        payload = event
    arn = parse_arn(target["Arn"])
    backend = stepfunctions_parser_backends[arn.account][arn.region]
    backend.start_execution(target["Arn"], name=str(uuid.uuid4()), execution_input=json.dumps(payload))
    log("rule target: started an execution of " + target["Arn"].split(":")[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--appfabric-endpoint", default=os.environ.get("AWS_ENDPOINT_URL_APPFABRIC"))
    args = parser.parse_args()

    from moto.moto_server.threaded_moto_server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address=args.host, port=args.port, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    # moto's Step Functions engine calls Lambda, S3 and Step Functions through boto3 on localhost:MOTO_PORT.
    os.environ["MOTO_PORT"] = str(port)
    url = f"http://{host}:{port}"
    runners = NodeRunners(url, args.appfabric_endpoint)
    patch_moto(runners)

    stopped = threading.Event()

    def stop(*_):
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    atexit.register(runners.close)

    def watch_stdin():
        # A parent that dies without a signal closes our stdin: stop then too.
        try:
            while sys.stdin.read(1):
                pass
        except (OSError, ValueError):
            pass
        stopped.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    print(f"EMULATOR {url}", flush=True)
    stopped.wait()
    log(f"stopping ({runners.invocations} Lambda invocations served)")
    runners.close()
    server.stop()


if __name__ == "__main__":
    main()
