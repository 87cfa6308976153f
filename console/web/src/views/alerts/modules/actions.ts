/** i18n keys of the triage action buttons. */
export const actionLabel: Record<Api.Alert.TriageAction, string> = {
  acknowledge: 'alert.acknowledge',
  assign: 'alert.assign',
  false_positive: 'alert.falsePositive',
  close: 'alert.closeAlert',
  reopen: 'triageAction.reopen',
};
