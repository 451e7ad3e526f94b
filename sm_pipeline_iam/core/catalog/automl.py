"""What the catalog knows of AutoML jobs beyond their step's entry: the calls the job makes
with its own role, and the AWS-owned registries of the images it runs. No CDK import.
"""

from __future__ import annotations

from ..notices import AUTOML_RESOURCE_NAMES
from ._builders import SM_ARN
from .schema import JobCall
from .services import SAGEMAKER

#: What AWS's page "How to use SageMaker AI execution roles" (CreateAutoMLJob and
#: CreateAutoMLJobV2 API: execution role permissions) lists for an AutoML job's role,
#: beside its data, logs and metrics: passing the role on to SageMaker, the model,
#: endpoint-config and endpoint actions of the models it deploys, and ECR pulls, all on
#: '*'. Narrowed here: PassRole to the role itself and to SageMaker only; the models and
#: endpoints to names that start with the AutoML job's name (inferred: how the job names
#: them is undocumented); the pulls to the pipeline's region (the AutoML containers live
#: in AWS-owned registries whose accounts differ by region), with a warning.
_AUTOML_PAGE = (
    "(AWS page 'How to use SageMaker AI execution roles', CreateAutoMLJob and "
    "CreateAutoMLJobV2 API)"
)
_AUTOML_TRIGGER = "Arguments.RoleArn"


#: Stands for the repositories of the images an AutoML job runs (its own and its
#: candidates'), in :attr:`~sm_pipeline_iam.core.catalog.schema.JobSpec.pulls` and as the
#: repository of a best candidate's image: ``core.job_roles.needs.automl_repositories``
#: turns it into ARNs for the role's region.
AUTOML_REPOSITORIES = "${AutoML.Repositories}"
#: A best candidate's image (a step property): one of the AutoML images.
AUTOML_IMAGES = "<an AutoML image>"

#: The repositories of the images Autopilot runs, by registry: its data-processing
#: container ``sagemaker-sklearn-automl`` (the inference containers of AWS's Autopilot
#: deployment examples, ``aws sagemaker create-model``; it lives in the registry of the
#: SDK's XGBoost framework images) and its XGBoost candidates; its Linear Learner
#: candidates (a SageMaker algorithm); its ensembling candidates (AutoGluon deep learning
#: containers). AWS page "Training modes and algorithm support" (Autopilot), API reference
#: AutoMLAlgorithmConfig. Not listed, as AWS publishes no repository for them: the HPO
#: ``mlp`` candidates' image and those of the non-tabular problem types (time series, text,
#: image, text generation): their pulls are not granted (the autoMLResourceNames warning).
AUTOML_REPOSITORY_NAMES: tuple[tuple[str, ...], ...] = (
    ("sagemaker-sklearn-automl", "sagemaker-xgboost"),
    ("linear-learner",),
    ("autogluon-inference", "autogluon-training"),
)

#: Region -> the registry account of each group of :data:`AUTOML_REPOSITORY_NAMES` (None:
#: no such registry there). Source: SageMaker Python SDK v2.257.6
#: ``src/sagemaker/image_uri_config/xgboost.json`` (framework version 3.0-5),
#: ``linear-learner.json`` (version 1), ``autogluon.json`` (version 1.3.0), the same
#: accounts as AWS's "Docker Registry Paths and Example Code" pages per region.
AUTOML_REGISTRIES: dict[str, tuple[str | None, str | None, str | None]] = {
    "af-south-1": ("510948584623", "455444449433", "626614931356"),
    "ap-east-1": ("651117190479", "286214385809", "871362719292"),
    "ap-northeast-1": ("354813040037", "351501993468", "763104351884"),
    "ap-northeast-2": ("366743142698", "835164637446", "763104351884"),
    "ap-northeast-3": ("867004704886", "867004704886", "364406365360"),
    "ap-south-1": ("720646828776", "991648021394", "763104351884"),
    "ap-south-2": ("628508329040", "628508329040", None),
    "ap-southeast-1": ("121021644041", "475088953585", "763104351884"),
    "ap-southeast-2": ("783357654285", "712309505854", "763104351884"),
    "ap-southeast-3": ("951798379941", "951798379941", "907027046896"),
    "ap-southeast-4": ("106583098589", "106583098589", "457447274322"),
    "ca-central-1": ("341280168497", "469771592824", "763104351884"),
    "ca-west-1": ("190319476487", "190319476487", "204538143572"),
    "cn-north-1": ("450853457545", "390948362332", None),
    "cn-northwest-1": ("451049120500", "387376663083", None),
    "eu-central-1": ("492215442770", "664544806723", "763104351884"),
    "eu-central-2": ("680994064768", "680994064768", None),
    "eu-north-1": ("662702820516", "669576153137", "763104351884"),
    "eu-south-1": ("978288397137", "257386234256", "692866216735"),
    "eu-south-2": ("104374241257", "104374241257", None),
    "eu-west-1": ("141502667606", "438346466558", "763104351884"),
    "eu-west-2": ("764974769150", "644912444149", "763104351884"),
    "eu-west-3": ("659782779980", "749696950732", "763104351884"),
    "il-central-1": ("898809789911", "898809789911", "780543022126"),
    "me-central-1": ("272398656194", "272398656194", None),
    "me-south-1": ("801668240914", "249704162688", "217643126080"),
    "sa-east-1": ("737474898029", "855470959533", "763104351884"),
    "us-east-1": ("683313688378", "382416733822", "763104351884"),
    "us-east-2": ("257758044811", "404615174143", "763104351884"),
    "us-gov-east-1": ("237065988967", "237065988967", "446045086412"),
    "us-gov-west-1": ("414596584902", "226302683700", "442386744353"),
    "us-iso-east-1": ("833128469047", "490574956308", "886529160074"),
    "us-isob-east-1": ("281123927165", "765400339828", "094389454867"),
    "us-isof-east-1": ("108575199400", "108575199400", None),
    "us-isof-south-1": ("124985052026", "124985052026", None),
    "us-west-1": ("746614075791", "632365934929", "763104351884"),
    "us-west-2": ("246618743249", "174872318107", "763104351884"),
}


def _job_calls() -> tuple[JobCall, ...]:
    def calls(actions: tuple[str, ...], resource: str, why: str, *,
              condition: tuple[tuple[str, str, str], ...] = (), notice: str | None = None,
              inferred: bool = False) -> JobCall:
        return JobCall(_AUTOML_TRIGGER, actions, resource, f"{why} {_AUTOML_PAGE}",
                       condition=condition, notice=notice, inferred=inferred)

    deploys = ("deploys, invokes and deletes the models and endpoints it names after "
               "itself (the AutoML job's name)")
    return (
        calls(("iam:PassRole",), "{role}", "passes its own role to the jobs it starts",
              condition=(("StringEquals", "iam:PassedToService", SAGEMAKER),)),
        calls(tuple(f"sagemaker:{a}" for a in (
            "CreateModel", "DeleteModel", "DescribeModel", "ListTags")),
            f"{SM_ARN}model/{{job}}", deploys, inferred=True, notice=AUTOML_RESOURCE_NAMES),
        calls(tuple(f"sagemaker:{a}" for a in (
            "CreateEndpoint", "CreateEndpointConfig", "DeleteEndpointConfig",
            "DescribeEndpointConfig", "ListTags")),
            f"{SM_ARN}endpoint-config/{{job}}", deploys, inferred=True),
        calls(tuple(f"sagemaker:{a}" for a in (
            "CreateEndpoint", "DeleteEndpoint", "DescribeEndpoint", "InvokeEndpoint",
            "ListTags")),
            f"{SM_ARN}endpoint/{{job}}", deploys, inferred=True),
    )


#: The calls an AutoML job makes with its own role while its step names the role.
AUTOML_JOB_CALLS = _job_calls()
