"""The review report's pipeline diagram (issue 23, "A diagram that fits a screen"): for a
10-step pipeline at most a stated number of nodes and edges; who may act on the pipeline,
from any stack; one node per service per role; the actions on the edges; construct paths,
never logical ids; Mermaid that parses. And who counts as a grantee, on plain templates."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam

from sm_pipeline_iam import LeastPrivilegePipeline
from sm_pipeline_iam.review._diagram import Graph, pipeline_graph
from sm_pipeline_iam.review.assembly import StackTemplate
from sm_pipeline_iam.review.report import (
    PipelineReview,
    StackReview,
    review_assembly,
    review_stack,
    to_markdown,
)

ENV = cdk.Environment(account="111122223333", region="us-east-1")
BUCKET = "ml-artifacts-111122223333"
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
#: The stated size of the synthetic 10-step pipeline's diagram (README, review section):
#: the pipeline, its 2 grantees, the execution role and its 3 services, 7 job roles with
#: their own S3 and log scopes (14 nodes) and the image and metrics they share (2 nodes):
#: 30 nodes; an edge from the pipeline to each role (8), from each role to each of its
#: services (3 + 7 x 4), one from each grantee: 41 edges.
MAX_NODES = 30
MAX_EDGES = 41


def _processing(index: int) -> dict[str, Any]:
    return {"Name": f"Stage{index}", "Type": "Processing", "Arguments": {
        "AppSpecification": {"ImageUri": IMAGE},
        "ProcessingInputs": [{"InputName": "in", "S3Input": {
            "LocalPath": "/opt/ml/processing/input", "S3DataType": "S3Prefix",
            "S3InputMode": "File", "S3Uri": f"s3://{BUCKET}/stage{index - 1}/"}}],
        "ProcessingOutputConfig": {"Outputs": [{"OutputName": "out", "S3Output": {
            "LocalPath": "/opt/ml/processing/output", "S3UploadMode": "EndOfJob",
            "S3Uri": f"s3://{BUCKET}/stage{index}/"}}]},
        "ProcessingResources": {"ClusterConfig": {
            "InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 30}},
        "ProcessingJobName": f"stage{index}",
        "RoleArn": "arn:aws:iam::111122223333:role/DataScienceRole",
    }}


#: Ten steps: six processing jobs, a training job, a condition whose branches are a Lambda
#: function and a failure.
DEFINITION = {"Version": "2020-12-01", "Steps": [
    *(_processing(index) for index in range(1, 7)),
    {"Name": "Train", "Type": "Training", "Arguments": {
        "AlgorithmSpecification": {"TrainingImage": IMAGE, "TrainingInputMode": "File"},
        "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": f"s3://{BUCKET}/stage6/"}}}],
        "OutputDataConfig": {"S3OutputPath": f"s3://{BUCKET}/models/"},
        "ResourceConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge",
                           "VolumeSizeInGB": 30},
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        "RoleArn": "arn:aws:iam::111122223333:role/DataScienceRole",
    }},
    {"Name": "CheckQuality", "Type": "Condition", "Arguments": {
        "Conditions": [{"Type": "Equals", "LeftValue": 1, "RightValue": 1}],
        "IfSteps": [{"Name": "Notify", "Type": "Lambda", "Arguments": {},
                     "FunctionArn": "arn:aws:lambda:us-east-1:111122223333:function:notify",
                     "OutputParameters": []}],
        "ElseSteps": [{"Name": "Stop", "Type": "Fail",
                       "Arguments": {"ErrorMessage": "quality too low"}}],
    }},
]}


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 10-step pipeline in one stack; a group in another stack may start it, a role
    in the pipeline's stack may read it."""
    app = cdk.App(outdir=str(tmp_path_factory.mktemp("diagram")))
    workload = cdk.Stack(app, "Workload", env=ENV)
    pipeline = LeastPrivilegePipeline(workload, "Pipeline", definition=DEFINITION,
                                      pipeline_name="ten-steps")
    pipeline.grant_read(iam.Role(workload, "Auditors", assumed_by=iam.AccountRootPrincipal()))
    people = cdk.Stack(app, "People", env=ENV)
    pipeline.grant_start_execution(iam.Group(people, "Operators"))
    return Path(app.synth().directory)


@pytest.fixture(scope="module")
def reviews(assembly: Path) -> list[StackReview]:
    return review_assembly(assembly)


def _pipeline(reviews: list[StackReview]) -> tuple[PipelineReview, StackReview]:
    review = next(r for r in reviews if r.name == "Workload")
    (pipeline,) = review.pipelines
    return pipeline, review


@pytest.fixture(scope="module")
def graph(reviews: list[StackReview]) -> Graph:
    return pipeline_graph(*_pipeline(reviews))


def _label(graph: Graph, key: str) -> str:
    return "<br>".join(graph.labels[key])


def test_a_ten_step_pipeline_fits_the_stated_size(reviews: list[StackReview],
                                                  graph: Graph) -> None:
    """GIVEN a 10-step pipeline with a job role per job step WHEN drawn THEN at most
    MAX_NODES nodes and MAX_EDGES edges."""
    pipeline, _ = _pipeline(reviews)
    assert len(pipeline.steps) == 10
    nodes, edges = graph.size
    assert nodes <= MAX_NODES and edges <= MAX_EDGES, graph.size


def test_grantees_from_any_stack_point_at_the_pipeline(reviews: list[StackReview],
                                                       graph: Graph) -> None:
    """GIVEN a group of another stack granted start, and a role granted read WHEN drawn
    THEN each is a node with an edge to the pipeline saying what it may do; the pipeline's
    section lists them too."""
    edges = {(_label(graph, s), _label(graph, t)): "<br>".join(label)
             for (s, t), label in graph.edges.items()}
    assert edges[("group People/Operators", "pipeline ten-steps")] == "start, read"
    assert edges[("role Workload/Auditors", "pipeline ten-steps")] == "read"
    pipeline, _ = _pipeline(reviews)
    assert [(g.kind, g.name, g.stack, g.verbs) for g in pipeline.grantees] == [
        ("role", "Workload/Auditors", "Workload", ["read"]),
        ("group", "People/Operators", "People", ["start", "read"]),
    ]
    assert ("- May act on it: role `Workload/Auditors` (read); group `People/Operators` "
            "(start, read)") in to_markdown(reviews)


def test_each_role_reaches_one_node_per_service(graph: Graph) -> None:
    """GIVEN the diagram WHEN its service nodes are read THEN each names one service, a role
    points at one node per service it uses, roles with the same resources there share
    the node (the image and the metrics of the seven job roles), and none is a bare '*'
    shared across services."""
    roles = {key for key in graph.ids if key.startswith("role ")}
    services = [key for key in graph.ids if key not in roles and key != "pipeline"
                and not key.startswith(("group ", "People: "))]
    incoming: dict[str, list[str]] = {}
    for source, target in graph.edges:
        incoming.setdefault(target, []).append(source)
    for key in services:
        service = key.split(" / ", 1)[0]
        assert graph.labels[key][0].split(":")[0] == service, key
        assert set(incoming[key]) <= roles, key
    used = [(source, target.split(" / ", 1)[0]) for source, target in graph.edges
            if target in services]
    assert len(used) == len(set(used))  # one node per (role, service)
    assert len({source for source, _ in used}) == 8  # the execution role, seven job roles
    shared = [key for key in services if len(incoming[key]) == 7]
    assert sorted(key.split(" / ", 1)[0] for key in shared) == ["cloudwatch", "ecr"]
    assert all(lines != ["*"] for lines in graph.labels.values())


def test_edges_carry_the_actions(graph: Graph) -> None:
    """GIVEN the diagram WHEN an edge leads from a role to one of its services THEN it
    names the actions, or counts them and names their verbs."""
    to_services = {(source, target): label for (source, target), label in graph.edges.items()
                   if source.startswith("role ") and target != "pipeline"}
    assert len(to_services) == 3 + 7 * 4
    for label in to_services.values():
        text = " ".join(label)
        assert re.fullmatch(r"\d+ actions: .+|[A-Za-z*]+(, [A-Za-z*]+)*,?( .*)?", text)
    stage = "role Workload/Pipeline/JobRoles/StepStage1"
    by_service = {target.split(" / ", 1)[0]: label
                  for (source, target), label in to_services.items() if source == stage}
    assert by_service["s3"] == ["4 actions: Abort, Get, List, Put"]
    assert by_service["logs"] == ["4 actions: Create, Describe, Put"]


def _logical_ids(assembly: Path) -> set[str]:
    return {logical_id for path in assembly.glob("*.template.json")
            for logical_id in json.loads(path.read_text()).get("Resources", {})}


def _mermaid(markdown: str) -> list[list[str]]:
    return [block.splitlines() for block in
            re.findall(r"```mermaid\n(.*?)```", markdown, flags=re.DOTALL)]


def test_labels_name_construct_paths_never_logical_ids(assembly: Path,
                                                        reviews: list[StackReview]) -> None:
    """GIVEN an assembly synthesized without path metadata WHEN drawn THEN no logical id in
    any label: roles and steps by construct path, as the report's sections."""
    text = next(text for text in map("\n".join, _mermaid(to_markdown(reviews)))
                if "pipeline ten-steps" in text)
    logical_ids = _logical_ids(assembly)
    assert len(logical_ids) > 10
    assert not [i for i in logical_ids if i in text]
    assert '"role Workload/Pipeline/ExecutionRole"' in text
    assert '"role Workload/Pipeline/JobRoles/StepStage1"' in text
    assert "### Role Workload/Pipeline/ExecutionRole" in to_markdown(reviews)


_NODE = re.compile(r'^  (n\d+)\["([^"\[\]]*)"\]$')
_EDGE = re.compile(r'^  (n\d+) -->(?:\|"([^"|]*)"\|)? (n\d+)$')


def test_the_mermaid_is_well_formed(reviews: list[StackReview]) -> None:
    """GIVEN the report WHEN its Mermaid is parsed line by line THEN a flowchart of quoted
    node labels and quoted edge labels whose ids are plain and defined before use, with
    no character Mermaid would read as syntax inside a label (only <br> as markup)."""
    blocks = _mermaid(to_markdown(reviews))
    assert blocks
    for block in blocks:
        assert block[0] == "flowchart LR"
        defined: set[str] = set()
        for line in block[1:]:
            node, edge = _NODE.match(line), _EDGE.match(line)
            assert node or edge, line
            assert line.count("[") == line.count("]") and line.count('"') % 2 == 0
            label = node.group(2) if node else (edge.group(2) or "") if edge else ""
            assert not re.search(r"[<>`|]", label.replace("<br>", "")), line
            if node:
                defined.add(node.group(1))
            elif edge:
                assert {edge.group(1), edge.group(3)} <= defined, line


def test_labels_escape_what_mermaid_would_read() -> None:
    """GIVEN a principal whose statement names quotes, pipes and angle brackets WHEN drawn
    THEN they are entity codes."""
    review = review_stack(StackTemplate("Stack", {"Resources": {"Role": {
        "Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Statement": []},
            "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [{
                "Effect": "Allow", "Action": "s3:GetObject",
                "Resource": 'arn:aws:s3:::b/"a|b"<c>#`'}]}}]}}}}))
    (block,) = _mermaid(to_markdown([review]))
    assert "b/#quot;a#124;b#quot;#lt;c#gt;#35;#96;" in "\n".join(block)


# --- who is a grantee (plain templates) ----------------------------------------------

PIPELINE_ARN = "arn:aws:sagemaker:us-east-1:111122223333:pipeline/"


def _grantees(*statements: dict[str, Any], name: str = "Fraud-Train") -> list[list[str]]:
    """The verbs the group holding ``statements`` gets on the pipeline ``name``."""
    review = review_stack(StackTemplate("Stack", {"Resources": {
        "Pipeline": {"Type": "AWS::SageMaker::Pipeline", "Properties": {
            "PipelineName": name, "RoleArn": "arn:aws:iam::111122223333:role/run"}},
        "Group": {"Type": "AWS::IAM::Group", "Properties": {"Policies": [{
            "PolicyName": "p", "PolicyDocument": {"Statement": list(statements)}}]}},
    }}))
    (pipeline,) = review.pipelines
    return [g.verbs for g in pipeline.grantees]


def test_a_grantee_is_granted_on_the_pipeline_arn() -> None:
    """GIVEN statements on the pipeline's ARN WHEN reviewed THEN the verbs: a wildcard
    action reads, NotAction grants what it does not exclude, the lower-cased name and the
    pipeline's Ref count, and an unconditioned Deny takes a verb away."""
    allow = {"Effect": "Allow"}
    assert _grantees({**allow, "Action": "sagemaker:Describe*",
                      "Resource": PIPELINE_ARN + "fraud-*"}) == [["read"]]
    assert _grantees({**allow, "Action": "sagemaker:StartPipelineExecution",
                      "Resource": {"Fn::Join": ["", [
                          "arn:", {"Ref": "AWS::Partition"}, ":sagemaker:",
                          {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"},
                          ":pipeline/", {"Ref": "Pipeline"}]]}}) == [["start"]]
    assert _grantees({**allow, "Action": "sagemaker:UpdatePipeline",
                      "Resource": PIPELINE_ARN + "fraud-train"}) == [["update"]]
    assert _grantees({**allow, "NotAction": "iam:*", "Resource": "*"}) == [
        ["start", "update", "read", "delete"]]
    assert _grantees({**allow, "Action": "sagemaker:*", "Resource": "*"},
                     {"Effect": "Deny", "Action": "sagemaker:DeletePipeline",
                      "Resource": "*"}) == [["start", "update", "read"]]


def test_no_grantee_without_a_grant_on_the_pipeline() -> None:
    """GIVEN grants on another pipeline, another service, executions only, or a Deny
    alone WHEN reviewed THEN no grantee."""
    assert _grantees({"Effect": "Allow", "Action": "sagemaker:StartPipelineExecution",
                      "Resource": PIPELINE_ARN + "other"}) == []
    assert _grantees({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}) == []
    assert _grantees({"Effect": "Allow", "Action": "sagemaker:StopPipelineExecution",
                      "Resource": PIPELINE_ARN + "fraud-train/execution/*"}) == []
    assert _grantees({"Effect": "Deny", "Action": "sagemaker:*", "Resource": "*"}) == []
    assert _grantees({"Effect": "Allow", "Action": "sagemaker:StartPipelineExecution",
                      "NotResource": PIPELINE_ARN + "*"}) == []
