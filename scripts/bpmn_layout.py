"""A tiny BPMN writer with an automatic left-to-right layout (DI for bpmn-js).

``scripts/bpmn_paths.py`` describes the review paths with :class:`Process` and writes
``bpmn/*.bpmn`` through it. The written files are what the engine deploys and what a
process designer edits afterwards (in the bpmn-js modeler or by hand); rerunning the
generator overwrites them, so edit one or the other, not both.

Layout: one horizontal lane per role; a node's column is its longest distance from the
start event over forward flows (back flows of loops are found by a depth-first walk);
nodes that land in the same lane and column stack downwards; boundary events sit on
their task's lower edge. Flows are drawn as orthogonal polylines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

COL_W = 170
ROW_H = 110
LANE_HEADER = 30
POOL_HEADER = 30
X0 = 80
SIZES = {
    "startEvent": (36, 36),
    "endEvent": (36, 36),
    "intermediateCatchEvent": (36, 36),
    "boundaryEvent": (36, 36),
    "exclusiveGateway": (50, 50),
    "parallelGateway": (50, 50),
}
TASK_SIZE = (120, 80)


@dataclass
class Node:
    id: str
    kind: str
    name: str
    lane: str | None
    head: str = ""  # inner XML before incoming/outgoing (documentation, extensionElements)
    tail: str = ""  # inner XML after them (script, loop characteristics, event definitions)
    attrs: dict = field(default_factory=dict)
    attached_to: str | None = None

    @property
    def size(self):
        return SIZES.get(self.kind, TASK_SIZE)


@dataclass
class Flow:
    id: str
    source: str
    target: str
    condition: str | None = None
    name: str = ""


def _properties(props: dict) -> str:
    if not props:
        return ""
    items = "".join(
        f"\n          <spiffworkflow:property name={quoteattr(k)} value={quoteattr(v)} />"
        for k, v in props.items()
    )
    return f"\n        <spiffworkflow:properties>{items}\n        </spiffworkflow:properties>"


class Process:
    def __init__(self, process_id: str, name: str, lanes: list[str], documentation: str = ""):
        self.id = process_id
        self.name = name
        self.lanes = lanes
        self.documentation = documentation
        self.nodes: dict[str, Node] = {}
        self.flows: list[Flow] = []
        self.rows: dict[str, int] = {}  # layout hints: node id -> preferred row within its lane

    def place(self, *node_ids: str, row: int = 1) -> None:
        """Draw these nodes on a lower row of their lane (keeps the main path on top)."""
        for node_id in node_ids:
            self.rows[node_id] = row

    # --- elements -----------------------------------------------------------------

    def _add(self, node: Node) -> str:
        if node.id in self.nodes:
            raise ValueError(f"duplicate id {node.id}")
        if node.id in ("Start", "End"):
            raise ValueError("ids Start/End clash with SpiffWorkflow's internal names")
        self.nodes[node.id] = node
        return node.id

    def start(self, id, name="", lane=None):
        return self._add(Node(id, "startEvent", name, lane))

    def end(self, id, name="", lane=None):
        return self._add(Node(id, "endEvent", name, lane))

    def script(self, id, name, lane, script):
        return self._add(
            Node(id, "scriptTask", name, lane, tail=f"<bpmn:script>{escape(script.strip())}</bpmn:script>")
        )

    def user(self, id, name, lane, form, props=None, mi=None, postscript=None, doc=None):
        properties = {"formJsonSchemaFilename": form, **(props or {})}
        ext = _properties(properties)
        if postscript:
            ext += (
                f"\n        <spiffworkflow:postScript>{escape(postscript.strip())}</spiffworkflow:postScript>"
            )
        head = f"<bpmn:extensionElements>{ext}\n      </bpmn:extensionElements>"
        if doc:
            head = f"<bpmn:documentation>{escape(doc)}</bpmn:documentation>\n      " + head
        tail = ""
        if mi:
            source, item, output, output_item = mi
            tail = (
                '<bpmn:multiInstanceLoopCharacteristics spiffworkflow:scriptsOnInstances="true">'
                f"\n        <bpmn:loopDataInputRef>{source}</bpmn:loopDataInputRef>"
                f"\n        <bpmn:loopDataOutputRef>{output}</bpmn:loopDataOutputRef>"
                f'\n        <bpmn:inputDataItem id="{item}" name="{item}" />'
                f'\n        <bpmn:outputDataItem id="{output_item}" name="{output_item}" />'
                "\n      </bpmn:multiInstanceLoopCharacteristics>"
            )
        return self._add(Node(id, "userTask", name, lane, head, tail))

    def call(self, id, name, lane, called):
        return self._add(Node(id, "callActivity", name, lane, attrs={"calledElement": called}))

    def rule(self, id, name, lane, decision):
        head = (
            "<bpmn:extensionElements>"
            f"\n        <spiffworkflow:calledDecisionId>{decision}</spiffworkflow:calledDecisionId>"
            "\n      </bpmn:extensionElements>"
        )
        return self._add(Node(id, "businessRuleTask", name, lane, head))

    def gateway(self, id, name, lane, default=None):
        attrs = {"default": default} if default else {}
        return self._add(Node(id, "exclusiveGateway", name, lane, attrs=attrs))

    def timer_catch(self, id, name, lane, date_expr):
        tail = (
            f'<bpmn:timerEventDefinition id="{id}_def">'
            f"<bpmn:timeDate>{escape(date_expr)}</bpmn:timeDate></bpmn:timerEventDefinition>"
        )
        return self._add(Node(id, "intermediateCatchEvent", name, lane, tail=tail))

    def boundary_timer(self, id, name, attached_to, date_expr, interrupting=False):
        tail = (
            f'<bpmn:timerEventDefinition id="{id}_def">'
            f"<bpmn:timeDate>{escape(date_expr)}</bpmn:timeDate></bpmn:timerEventDefinition>"
        )
        attrs = {"attachedToRef": attached_to, "cancelActivity": "true" if interrupting else "false"}
        lane = self.nodes[attached_to].lane
        return self._add(Node(id, "boundaryEvent", name, lane, "", tail, attrs, attached_to=attached_to))

    def flow(self, source, target, condition=None, id=None, name=""):
        flow_id = id or f"Flow_{source}_{target}"
        self.flows.append(Flow(flow_id, source, target, condition, name))
        return flow_id

    def chain(self, *ids):
        for a, b in zip(ids, ids[1:], strict=False):
            self.flow(a, b)

    # --- layout -------------------------------------------------------------------

    def _columns(self) -> dict[str, int]:
        outgoing: dict[str, list[str]] = {n: [] for n in self.nodes}
        for f in self.flows:
            outgoing[f.source].append(f.target)
        for n in self.nodes.values():
            if n.attached_to:
                outgoing[n.attached_to].append(n.id)
        starts = [n.id for n in self.nodes.values() if n.kind == "startEvent"]
        back: set[tuple[str, str]] = set()
        state: dict[str, int] = {}

        def dfs(node):
            state[node] = 1
            for nxt in outgoing[node]:
                if state.get(nxt) == 1:
                    back.add((node, nxt))
                elif nxt not in state:
                    dfs(nxt)
            state[node] = 2

        for s in starts:
            dfs(s)
        order: list[str] = []
        seen: set[str] = set()

        def topo(node):
            seen.add(node)
            for nxt in outgoing[node]:
                if (node, nxt) not in back and nxt not in seen:
                    topo(nxt)
            order.append(node)

        for s in starts:
            topo(s)
        order.reverse()
        column = {n: 0 for n in self.nodes}
        for node in order:
            for nxt in outgoing[node]:
                if (node, nxt) in back:
                    continue
                step = 0 if self.nodes[nxt].attached_to == node else 1
                column[nxt] = max(column[nxt], column[node] + step)
        self._back = back
        return column

    def _hint_boundary_branches(self) -> None:
        """A boundary event's own branch is drawn below the main path."""
        incoming: dict[str, int] = {}
        for f in self.flows:
            incoming[f.target] = incoming.get(f.target, 0) + 1
        stack = [n.id for n in self.nodes.values() if n.attached_to]
        while stack:
            current = stack.pop()
            for f in self.flows:
                if f.source == current and f.target not in self.rows and incoming[f.target] == 1:
                    self.rows[f.target] = 1
                    stack.append(f.target)

    def layout(self):
        self._hint_boundary_branches()
        column = self._columns()
        taken: dict[tuple[str, int], set[int]] = {}
        sub_row: dict[str, int] = {}
        placed = [n for n in self.nodes.values() if not n.attached_to]
        # hinted nodes (side branches pushed down with place()) first, then the rest in order
        for node in sorted(placed, key=lambda n: n.id not in self.rows):
            used = taken.setdefault((node.lane, column[node.id]), set())
            row = self.rows.get(node.id, 0)
            while row in used:
                row += 1
            used.add(row)
            sub_row[node.id] = row
        slots = {key: max(rows) + 1 for key, rows in taken.items()}
        lane_rows = {lane: 1 for lane in self.lanes}
        for (lane, _col), count in slots.items():
            lane_rows[lane] = max(lane_rows[lane], count)
        lane_y: dict[str, int] = {}
        y = 0
        for lane in self.lanes:
            lane_y[lane] = y
            y += lane_rows[lane] * ROW_H + 20
        self.height = y
        self.width = (max(column.values()) + 1) * COL_W + 60
        bounds = {}
        for node in self.nodes.values():
            if node.attached_to:
                continue
            w, h = node.size
            cx = X0 + POOL_HEADER + LANE_HEADER + column[node.id] * COL_W + 60
            cy = lane_y[node.lane] + 10 + sub_row[node.id] * ROW_H + ROW_H // 2
            bounds[node.id] = (cx - w // 2, cy - h // 2, w, h)
        for node in self.nodes.values():
            if node.attached_to:
                ax, ay, aw, ah = bounds[node.attached_to]
                bounds[node.id] = (ax + aw - 38, ay + ah - 18, 36, 36)
        self.bounds = bounds
        self.lane_y = lane_y
        self.lane_rows = lane_rows

    def _waypoints(self, flow: Flow):
        sx, sy, sw, sh = self.bounds[flow.source]
        tx, ty, tw, th = self.bounds[flow.target]
        if self.nodes[flow.source].kind == "boundaryEvent":
            start = (sx + sw // 2, sy + sh)
            end = (tx, ty + th // 2)
            return [start, (start[0], end[1]), end]
        start = (sx + sw, sy + sh // 2)
        end = (tx, ty + th // 2)
        if end[0] <= start[0]:  # a loop back: go under both nodes
            below = max(sy + sh, ty + th) + 15
            return [
                (sx + sw // 2, sy + sh),
                (sx + sw // 2, below),
                (tx + tw // 2, below),
                (tx + tw // 2, ty + th),
            ]
        if start[1] == end[1]:
            return [start, end]
        mid = end[0] - 20
        return [start, (mid, start[1]), (mid, end[1]), end]

    # --- XML ----------------------------------------------------------------------

    def to_xml(self) -> str:
        self.layout()
        incoming: dict[str, list[str]] = {n: [] for n in self.nodes}
        outgoing: dict[str, list[str]] = {n: [] for n in self.nodes}
        for f in self.flows:
            outgoing[f.source].append(f.id)
            incoming[f.target].append(f.id)
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
            ' xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"'
            ' xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"'
            ' xmlns:di="http://www.omg.org/spec/DD/20100524/DI"'
            ' xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"'
            f' id="Definitions_{self.id}" targetNamespace="http://jixiao.example/bpmn">',
            f'  <bpmn:collaboration id="Collab_{self.id}">',
            f'    <bpmn:participant id="Participant_{self.id}" name={quoteattr(self.name)}'
            f' processRef="{self.id}" />',
            "  </bpmn:collaboration>",
            f'  <bpmn:process id="{self.id}" name={quoteattr(self.name)} isExecutable="true">',
        ]
        if self.documentation:
            out.append(f"    <bpmn:documentation>{escape(self.documentation)}</bpmn:documentation>")
        out.append(f'    <bpmn:laneSet id="LaneSet_{self.id}">')
        for lane in self.lanes:
            out.append(f'      <bpmn:lane id="Lane_{self.id}_{lane}" name="{lane}">')
            for node in self.nodes.values():
                if node.lane == lane:
                    out.append(f"        <bpmn:flowNodeRef>{node.id}</bpmn:flowNodeRef>")
            out.append("      </bpmn:lane>")
        out.append("    </bpmn:laneSet>")
        for node in self.nodes.values():
            attrs = "".join(f" {k}={quoteattr(v)}" for k, v in node.attrs.items())
            name = f" name={quoteattr(node.name)}" if node.name else ""
            out.append(f'    <bpmn:{node.kind} id="{node.id}"{name}{attrs}>')
            # BPMN's XSD orders documentation and extensionElements before incoming/outgoing
            if node.head:
                out.append("      " + node.head)
            for fid in incoming[node.id]:
                out.append(f"      <bpmn:incoming>{fid}</bpmn:incoming>")
            for fid in outgoing[node.id]:
                out.append(f"      <bpmn:outgoing>{fid}</bpmn:outgoing>")
            if node.tail:
                out.append("      " + node.tail)
            out.append(f"    </bpmn:{node.kind}>")
        for f in self.flows:
            name = f" name={quoteattr(f.name)}" if f.name else ""
            if f.condition:
                out.append(
                    f'    <bpmn:sequenceFlow id="{f.id}"{name} sourceRef="{f.source}" targetRef="{f.target}">'
                    f"\n      <bpmn:conditionExpression>{escape(f.condition)}</bpmn:conditionExpression>"
                    "\n    </bpmn:sequenceFlow>"
                )
            else:
                out.append(
                    f'    <bpmn:sequenceFlow id="{f.id}"{name} sourceRef="{f.source}" targetRef="{f.target}" />'
                )
        out.append("  </bpmn:process>")
        out.extend(self._di())
        out.append("</bpmn:definitions>")
        return "\n".join(out) + "\n"

    def _di(self):
        pool_w = self.width + LANE_HEADER + POOL_HEADER
        out = [
            f'  <bpmndi:BPMNDiagram id="Diagram_{self.id}">',
            f'    <bpmndi:BPMNPlane id="Plane_{self.id}" bpmnElement="Collab_{self.id}">',
            f'      <bpmndi:BPMNShape id="Participant_{self.id}_di" bpmnElement="Participant_{self.id}"'
            ' isHorizontal="true">',
            f'        <dc:Bounds x="{X0}" y="0" width="{pool_w}" height="{self.height}" />',
            "      </bpmndi:BPMNShape>",
        ]
        for lane in self.lanes:
            h = self.lane_rows[lane] * ROW_H + 20
            out += [
                f'      <bpmndi:BPMNShape id="Lane_{self.id}_{lane}_di" bpmnElement="Lane_{self.id}_{lane}"'
                ' isHorizontal="true">',
                f'        <dc:Bounds x="{X0 + POOL_HEADER}" y="{self.lane_y[lane]}" '
                f'width="{pool_w - POOL_HEADER}" height="{h}" />',
                "      </bpmndi:BPMNShape>",
            ]
        for node in self.nodes.values():
            x, y, w, h = self.bounds[node.id]
            extra = ' isMarkerVisible="true"' if node.kind == "exclusiveGateway" else ""
            out += [
                f'      <bpmndi:BPMNShape id="{node.id}_di" bpmnElement="{node.id}"{extra}>',
                f'        <dc:Bounds x="{x}" y="{y}" width="{w}" height="{h}" />',
                "      </bpmndi:BPMNShape>",
            ]
        for f in self.flows:
            out.append(f'      <bpmndi:BPMNEdge id="{f.id}_di" bpmnElement="{f.id}">')
            for px, py in self._waypoints(f):
                out.append(f'        <di:waypoint x="{px}" y="{py}" />')
            out.append("      </bpmndi:BPMNEdge>")
        out += ["    </bpmndi:BPMNPlane>", "  </bpmndi:BPMNDiagram>"]
        return out
