/**
 * The example segments of the product documents the project is modelled on (sample/segments.json,
 * the same ones `segment` and the workspace load): each one shown in the builder. The play functions
 * check that it is valid, which rows it shows, its plain-English description, and that the text view
 * gives back the expression exactly.
 */
import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { expect, userEvent, waitFor } from 'storybook/test';
import { $, $$, builder, builderIn, segments, visibleText, type BuilderArgs } from './support';

const meta = {
  title: 'Segment builder/Seed examples',
  component: 'segment-builder',
  render: builder,
} satisfies Meta<BuilderArgs>;

export default meta;
type Story = StoryObj<BuilderArgs>;

/** The expression of a saved example segment. */
function example(name: string): string {
  const found = segments.find((s) => s.name === name);
  if (!found || !('expression' in found)) throw new Error(`no example segment named ${name}`);
  return found.expression;
}

interface Expected {
  /** Condition rows (profile fields, and event properties in `where`). */
  conditions: number;
  /** Event condition rows. */
  events: number;
  /** Saved segment rows. */
  segments: number;
  /** The description under the builder. */
  description: string;
  /** Something else the rows show (a resolved date, chips). */
  shows?: { part: string; text: string };
}

/** The play function of one example. */
function shows(expected: Expected): Story['play'] {
  return async ({ canvasElement, args }) => {
    const el = await builderIn(canvasElement);
    expect(el.valid).toBe(true);
    expect(el.diagnostics).toEqual([]);
    expect($$(el, '[part~="condition"]')).toHaveLength(expected.conditions);
    expect($$(el, '[part~="event"]')).toHaveLength(expected.events);
    expect($$(el, '[part~="segment"]')).toHaveLength(expected.segments);
    expect($$(el, '[part~="raw"]')).toHaveLength(0);
    expect(visibleText($(el, '[part~="description"]'))).toBe(expected.description);
    if (expected.shows) expect($$(el, `[part~="${expected.shows.part}"]`).map((e) => e.textContent?.trim())).toContain(expected.shows.text);
    // Both views: the text view holds the expression exactly as saved.
    const both = [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part~="view-switch"] button')].find((b) => b.textContent?.trim() === 'Both');
    await userEvent.click(both!);
    await waitFor(() => expect((el.shadowRoot!.querySelector('textarea') as HTMLTextAreaElement).value).toBe(args.value));
    expect($$(el, '[part~="diagnostics"] li')).toHaveLength(0);
  };
}

export const VIPArabicSpeakers: Story = {
  name: "VIP Arabic Speakers",
  args: { value: example("VIP Arabic Speakers") },
  play: shows({
    conditions: 2,
    events: 0,
    segments: 0,
    description: 'Customers whose tags contain "VIP" and whose language is "ar"',
  }),
};

export const Inactive30Days: Story = {
  name: "Inactive 30+ Days",
  args: { value: example("Inactive 30+ Days") },
  play: shows({
    conditions: 1,
    events: 0,
    segments: 0,
    description: 'Customers whose last interaction is more than 30 days ago',
    shows: { part: 'resolved-date', text: 'before Oct 25, 2026' },
  }),
};

export const GoldTierInOman: Story = {
  name: "Gold Tier in Oman",
  args: { value: example("Gold Tier in Oman") },
  play: shows({
    conditions: 2,
    events: 0,
    segments: 0,
    description: 'Customers whose tier is "gold" and whose country code is "OM"',
  }),
};

export const WhatsAppOptedIn: Story = {
  name: "WhatsApp Opted-In",
  args: { value: example("WhatsApp Opted-In") },
  play: shows({
    conditions: 2,
    events: 0,
    segments: 0,
    description: 'Customers whose platform is "WhatsApp" and whose marketing opt-out is false',
  }),
};

export const NewThisWeek: Story = {
  name: "New This Week",
  args: { value: example("New This Week") },
  play: shows({
    conditions: 1,
    events: 0,
    segments: 0,
    description: 'Customers whose date created is within the last 7 days',
    shows: { part: 'resolved-date', text: 'since Nov 17, 2026' },
  }),
};

export const EnterpriseLeads: Story = {
  name: "Enterprise Leads",
  args: { value: example("Enterprise Leads") },
  play: shows({
    conditions: 2,
    events: 0,
    segments: 0,
    description: 'Customers whose interest is "Enterprise" and whose tags contain "lead"',
  }),
};

export const HighValueCustomers: Story = {
  name: "High Value Customers",
  args: { value: example("High Value Customers") },
  play: shows({
    conditions: 1,
    events: 0,
    segments: 0,
    description: 'Customers whose lifetime value is greater than 25000',
  }),
};

export const HotOfferNotBought: Story = {
  name: "Hot Offer Not Bought",
  args: { value: example("Hot Offer Not Bought") },
  play: shows({
    conditions: 2,
    events: 2,
    segments: 0,
    description: 'Customers who did "page_view" (where offer is "summer-pass") at least 5 times in the last 7 days and who never did "purchase" (where offer is "summer-pass")',
  }),
};

export const Clickers: Story = {
  name: "Clickers",
  args: { value: example("Clickers") },
  play: shows({
    conditions: 1,
    events: 0,
    segments: 0,
    description: 'Customers whose clicks count is greater than 0',
  }),
};

export const ClickersWhoReceivedOneMessage: Story = {
  name: "Clickers Who Received One Message",
  args: { value: example("Clickers Who Received One Message") },
  play: shows({
    conditions: 2,
    events: 0,
    segments: 0,
    description: 'Customers whose clicks count is greater than 0 and whose sent count is 1',
  }),
};

export const ClickersNotMessagedForAMonth: Story = {
  name: "Clickers Not Messaged For A Month",
  args: { value: example("Clickers Not Messaged For A Month") },
  play: shows({
    conditions: 2,
    events: 0,
    segments: 0,
    description: 'Customers whose clicks count is greater than 0 and whose last received SMS is more than 30 days ago',
  }),
};

export const UnusedNumbers: Story = {
  name: "Unused Numbers",
  args: { value: example("Unused Numbers") },
  play: shows({
    conditions: 1,
    events: 0,
    segments: 0,
    description: 'Customers whose sent count is less than 1',
  }),
};

export const ReceivedOnceNeverClicked: Story = {
  name: "Received Once Never Clicked",
  args: { value: example("Received Once Never Clicked") },
  play: shows({
    conditions: 2,
    events: 0,
    segments: 0,
    description: 'Customers whose sent count is 1 and whose clicks count is 0',
  }),
};

export const OmaniCarriers: Story = {
  name: "Omani Carriers",
  args: { value: example("Omani Carriers") },
  play: shows({
    conditions: 2,
    events: 0,
    segments: 0,
    description: 'Customers whose country code is "OM" and whose carrier is one of "Omantel" or "Ooredoo"',
  }),
};

export const FemaleCustomersWithEmail: Story = {
  name: "Female Customers With Email",
  args: { value: example("Female Customers With Email") },
  play: shows({
    conditions: 2,
    events: 0,
    segments: 0,
    description: 'Customers whose gender is "female" and whose email is known',
  }),
};

export const ReturningUsers: Story = {
  name: "Returning Users",
  args: { value: example("Returning Users") },
  play: shows({
    conditions: 1,
    events: 0,
    segments: 0,
    description: 'Customers whose returning user is true',
  }),
};

export const TalkedWithAgentThisMonth: Story = {
  name: "Talked With Agent This Month",
  args: { value: example("Talked With Agent This Month") },
  play: shows({
    conditions: 0,
    events: 1,
    segments: 0,
    description: 'Customers who did "agent_chat" at least once in the last 30 days',
  }),
};

export const CompletedBotFlow: Story = {
  name: "Completed Bot Flow",
  args: { value: example("Completed Bot Flow") },
  play: shows({
    conditions: 1,
    events: 1,
    segments: 0,
    description: 'Customers who did "flow_completed" (where flow is "bot") at least once',
  }),
};

export const CartNotPaid: Story = {
  name: "Cart Not Paid",
  args: { value: example("Cart Not Paid") },
  play: shows({
    conditions: 0,
    events: 2,
    segments: 0,
    description: 'Customers who did "add_to_cart" at least once in the last 7 days and who never did "purchase" in the last 7 days',
  }),
};

export const GlobalSuppression3SMSNeverClicked: Story = {
  name: "Global Suppression (3+ SMS, Never Clicked)",
  args: { value: example("Global Suppression (3+ SMS, Never Clicked)") },
  play: shows({
    conditions: 0,
    events: 2,
    segments: 0,
    description: 'Customers who did "sms_received" at least 3 times and who never did "sms_clicked"',
  }),
};

export const VIPArabicSpeakersStillActive: Story = {
  name: "VIP Arabic Speakers Still Active",
  args: { value: example("VIP Arabic Speakers Still Active") },
  play: shows({
    conditions: 0,
    events: 0,
    segments: 2,
    description: 'Customers in the segment "VIP Arabic Speakers" but not in the segment "Inactive 30+ Days"',
  }),
};
