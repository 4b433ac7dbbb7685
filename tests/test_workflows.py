"""The GitHub Actions workflows: every push and pull request runs the README's test command,
and Pages publishes only a commit on which those tests passed."""
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"


def _load(name):
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    # YAML 1.1 reads the key `on` as the boolean True.
    document["on"] = document.pop(True, document.get("on"))
    return document


def _steps(workflow):
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def _needs(job):
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)


def _upstream(jobs, name):
    """Every job ``name`` waits for, directly or through other jobs."""
    seen, todo = set(), _needs(jobs[name])
    while todo:
        job = todo.pop()
        if job not in seen:
            seen.add(job)
            todo.extend(_needs(jobs[job]))
    return seen


class TestTestsWorkflow:
    def test_runs_on_push_and_pull_request(self):
        """Every push and every pull request triggers the tests."""
        triggers = _load("tests.yml")["on"]
        assert "push" in triggers and "pull_request" in triggers

    def test_runs_the_readme_test_command(self):
        """A step runs scripts/test.sh, the command the README gives for every test."""
        assert "scripts/test.sh" in (ROOT / "README.md").read_text()
        runs = [step.get("run", "") for step in _steps(_load("tests.yml"))]
        assert any(line.strip().startswith("scripts/test.sh") for run in runs for line in run.splitlines())

    def test_caches_the_environment_node_modules_and_pyodide(self):
        """The venv, node_modules and the Pyodide runtime are cached, keyed on what decides them."""
        caches = {step["with"]["path"]: step["with"]["key"] for step in _steps(_load("tests.yml"))
                  if step.get("uses", "").startswith("actions/cache@")}
        assert "hashFiles('pyproject.toml')" in caches[".venv"] and "python-version" in caches[".venv"]
        assert "hashFiles('package-lock.json')" in caches["node_modules"]
        assert "hashFiles('sitebuild/pyodide_runtime.py')" in caches[".cache/pyodide"]


class TestPagesWorkflow:
    def test_deploys_only_after_the_tests_pass(self):
        """Pages runs when Tests completes on main, and only if it succeeded on a push."""
        pages, tests = _load("pages.yml"), _load("tests.yml")
        assert set(pages["on"]) == {"workflow_run"}   # no push trigger that would skip the tests
        trigger = pages["on"]["workflow_run"]
        assert trigger["workflows"] == [tests["name"]] and trigger["types"] == ["completed"]
        assert trigger["branches"] == ["main"]
        jobs = pages["jobs"]
        for name, job in jobs.items():
            gates = [job.get("if", "")] + [jobs[up].get("if", "") for up in _upstream(jobs, name)]
            assert any("github.event.workflow_run.conclusion == 'success'" in gate for gate in gates), name

    def test_builds_the_commit_that_passed(self):
        """The build checks out the tested commit, not whatever main points to by then."""
        checkouts = [step for step in _steps(_load("pages.yml")) if step.get("uses", "").startswith("actions/checkout@")]
        assert checkouts and all(
            step.get("with", {}).get("ref") == "${{ github.event.workflow_run.head_sha }}" for step in checkouts
        )

    def test_deploy_needs_the_build(self):
        """The deploy job publishes the artifact of the gated build job."""
        jobs = _load("pages.yml")["jobs"]
        deploy = next(name for name, job in jobs.items()
                      if any(step.get("uses", "").startswith("actions/deploy-pages@") for step in job["steps"]))
        assert "build" in _upstream(jobs, deploy)
