"""An agent and a team-scoped key in Python, through pulumi-writer's native provider.

Config: writer:baseUrl and writer:adminToken (secret). Run with the venv that has `pulumi` and the
generated SDK (scripts/ensure-python-venv prints its python): PULUMI_PYTHON_CMD=<that python>.
"""
import pulumi
import pulumi_writer as writer

team = writer.get_team(name="Support")
owner = writer.get_user(email="lead@example.com")

agent = writer.ApiAgent(
    "support",
    name="Support bot (Python)",
    capabilities=[writer.Capability.CHAT, writer.Capability.MODELS],
    revoke_default_key=True,
)
key = writer.ApiKey(
    "support-key",
    agent_id=agent.id,
    team_id=team.id,
    owner_id=owner.id,
    requests_per_minute=60,
)

pulumi.export("agentId", agent.id)
pulumi.export("keyId", key.id)
pulumi.export("secret", key.secret)
pulumi.export("capabilities", agent.capabilities)
