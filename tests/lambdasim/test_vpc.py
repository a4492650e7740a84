"""VPC reachability decision procedure (R-7.1–R-7.7, worked scenario 12)."""

from __future__ import annotations

from dataclasses import replace

from labtui.lambdasim.vpc import (
    AclRule,
    AwsServiceTarget,
    FunctionVpcConfig,
    InternetGateway,
    InternetTarget,
    NatGateway,
    NetworkAcl,
    Route,
    RouteTable,
    SecurityGroup,
    SgRule,
    Subnet,
    Vpc,
    VpcEndpoint,
    VpcModel,
    VpcResourceTarget,
    can_reach,
    vpc_warnings,
)

LOCAL = Route("10.0.0.0/16", "local")
FN = FunctionVpcConfig(("subnet-a", "subnet-b"), ("lambda-sg",))
RDS = VpcResourceTarget("orders-db", "subnet-a", 5432, ("db-sg",))


def _private_vpc(db_ingress: tuple[SgRule, ...] = ()) -> VpcModel:
    return VpcModel(
        vpcs=[Vpc("vpc-1", "10.0.0.0/16")],
        subnets=[
            Subnet("subnet-a", "vpc-1", "10.0.1.0/24", "us-east-1a"),
            Subnet("subnet-b", "vpc-1", "10.0.2.0/24", "us-east-1b"),
            Subnet("subnet-pub", "vpc-1", "10.0.0.0/24", "us-east-1a"),
        ],
        route_tables=[
            RouteTable("rtb-private", "vpc-1", (LOCAL,), ("subnet-a", "subnet-b")),
            RouteTable("rtb-public", "vpc-1", (LOCAL,), ("subnet-pub",)),
        ],
        security_groups=[
            SecurityGroup("sg-1", "vpc-1", "lambda-sg"),
            SecurityGroup("sg-2", "vpc-1", "db-sg", ingress=db_ingress),
        ],
    )


def _with_nat(model: VpcModel, nat_subnet: str = "subnet-pub") -> VpcModel:
    model.internet_gateways.append(InternetGateway("igw-1", "vpc-1"))
    model.nat_gateways.append(NatGateway("nat-1", nat_subnet))
    model.route_tables[0] = replace(
        model.route_tables[0], routes=(LOCAL, Route("0.0.0.0/0", "nat-1"))
    )
    model.route_tables[1] = replace(
        model.route_tables[1], routes=(LOCAL, Route("0.0.0.0/0", "igw-1"))
    )
    return model


def test_worked_scenario_12_internet_unreachable_with_local_route_only() -> None:
    result = can_reach(_private_vpc(), FN, InternetTarget())
    assert not result.reachable
    assert result.rule == "R-7.2"
    assert "no 0.0.0.0/0 route" in result.reason and "rtb-private" in result.reason


def test_worked_scenario_12_s3_reachable_after_gateway_endpoint() -> None:
    model = _private_vpc()
    assert not can_reach(model, FN, AwsServiceTarget("s3")).reachable
    model.endpoints.append(VpcEndpoint("vpce-1", "vpc-1", "s3", "Gateway", ("rtb-private",)))
    result = can_reach(model, FN, AwsServiceTarget("s3"))
    assert result.reachable and result.rule == "R-7.3"
    assert not can_reach(model, FN, AwsServiceTarget("dynamodb")).reachable


def test_worked_scenario_12_rds_reachable_when_db_sg_allows_lambda_sg() -> None:
    closed = can_reach(_private_vpc(), FN, RDS)
    assert not closed.reachable and closed.rule == "R-7.4"
    assert "db-sg" in closed.reason
    model = _private_vpc((SgRule("tcp", 5432, 5432, security_groups=("sg-1",)),))
    assert can_reach(model, FN, RDS).reachable


def test_rds_wrong_port_is_unreachable() -> None:
    model = _private_vpc((SgRule("tcp", 3306, 3306, security_groups=("sg-1",)),))
    assert not can_reach(model, FN, RDS).reachable


def test_rds_by_subnet_cidr_rule() -> None:
    model = _private_vpc((SgRule("tcp", 5432, 5432, cidrs=("10.0.0.0/16",)),))
    assert can_reach(model, FN, RDS).reachable


def test_nat_in_public_subnet_gives_internet() -> None:
    result = can_reach(_with_nat(_private_vpc()), FN, InternetTarget("api.stripe.com"))
    assert result.reachable and result.rule == "R-7.2"


def test_nat_in_private_subnet_does_not_help() -> None:
    # D-12: the NAT gateway must sit in a public subnet.
    model = _with_nat(_private_vpc(), nat_subnet="subnet-a")
    result = can_reach(model, FN, InternetTarget())
    assert not result.reachable and "public subnet" in result.reason


def test_route_straight_to_igw_does_not_help() -> None:
    # no public IP for a VPC function.
    model = _private_vpc()
    model.internet_gateways.append(InternetGateway("igw-1", "vpc-1"))
    model.route_tables[0] = replace(
        model.route_tables[0], routes=(LOCAL, Route("0.0.0.0/0", "igw-1"))
    )
    result = can_reach(model, FN, InternetTarget())
    assert not result.reachable and "no public IP" in result.reason


def test_one_subnet_without_nat_breaks_reachability() -> None:
    model = _with_nat(_private_vpc())
    model.route_tables.append(RouteTable("rtb-b", "vpc-1", (LOCAL,), ("subnet-b",)))
    model.route_tables[0] = replace(model.route_tables[0], subnet_ids=("subnet-a",))
    result = can_reach(model, FN, InternetTarget())
    assert not result.reachable and "subnet-b" in result.reason


def test_sg_without_outbound_blocks_internet() -> None:
    model = _with_nat(_private_vpc())
    model.security_groups[0] = replace(model.security_groups[0], egress=())
    result = can_reach(model, FN, InternetTarget())
    assert not result.reachable and result.rule == "R-7.4"


def test_no_vpc_reaches_internet_but_not_private_resources() -> None:
    # R-7.1 / D-7
    assert can_reach(VpcModel(), None, InternetTarget()).reachable
    result = can_reach(VpcModel(), None, RDS)
    assert not result.reachable and result.rule == "R-7.1"


def test_interface_endpoint_needs_443_from_function() -> None:
    model = _private_vpc()
    model.security_groups.append(SecurityGroup("sg-3", "vpc-1", "endpoint-sg"))
    model.endpoints.append(
        VpcEndpoint(
            "vpce-2",
            "vpc-1",
            "secretsmanager",
            "Interface",
            subnet_ids=("subnet-a",),
            security_group_ids=("sg-3",),
        )
    )
    assert not can_reach(model, FN, AwsServiceTarget("secretsmanager")).reachable
    model.security_groups[2] = replace(
        model.security_groups[2], ingress=(SgRule("tcp", 443, 443, security_groups=("sg-1",)),)
    )
    assert can_reach(model, FN, AwsServiceTarget("secretsmanager")).reachable


def test_network_acl_denies() -> None:
    model = _private_vpc((SgRule("tcp", 5432, 5432, security_groups=("sg-1",)),))
    model.network_acls.append(
        NetworkAcl(
            "acl-1", ("subnet-a",), ingress=(AclRule(100, False, "10.0.2.0/24"), AclRule(200, True))
        )
    )
    result = can_reach(model, FN, RDS)
    assert not result.reachable and "acl-1" in result.reason


def test_single_az_warning() -> None:
    model = _private_vpc()
    assert vpc_warnings(model, FunctionVpcConfig(("subnet-a",), ("sg-1",)))
    assert vpc_warnings(model, FN) == []
