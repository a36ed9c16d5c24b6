// Generated from Rust by ts-rs (cargo test bindings). Do not edit.

export type CalendarEvent = { uri: string, name: string, status: string, start: string, end: string, locationType: string | null, joinUrl: string | null, inviteeNames: Array<string>, inviteesActive: number, rescheduledFrom: string | null, rescheduledTo: string | null, anyNoShow: boolean, };

export type QuestionAnswer = { question: string, answer: string, };

export type InviteeDetail = { uri: string, name: string | null, email: string, status: string, timezone: string | null, noShow: boolean, rescheduled: boolean, rescheduledFrom: string | null, rescheduledTo: string | null, cancelReason: string | null, canceledBy: string | null, cancelerType: string | null, questionsAndAnswers: Array<QuestionAnswer>, cancelUrl: string | null, rescheduleUrl: string | null, };

export type Person = { name: string | null, email: string, };

export type EventDetail = { uri: string, name: string, status: string, start: string, end: string, eventType: string | null, locationType: string | null, location: string | null, joinUrl: string | null, meetingNotes: string | null, hosts: Array<Person>, invitees: Array<InviteeDetail>, guests: Array<Person>, };

export type ContactSummary = { email: string, name: string | null, meetings: number, noShows: number, lastMeeting: string | null, nextMeeting: string | null, };

export type ActivityItem = { kind: string, at: string, eventUri: string | null, eventName: string | null, };

export type ContactDetail = { email: string, name: string | null, activity: Array<ActivityItem>, answers: Array<QuestionAnswer>, };

export type AccountView = { name: string, email: string, timezone: string | null, avatarUrl: string | null, authKind: string, sandbox: boolean, apiUrl: string, };

export type StatusView = { account: AccountView | null, lastSync: string | null, lastSyncError: string | null, events: number, contacts: number, syncing: boolean, keyring: string, };

export type SyncReport = { pages: number, eventsSeen: number, inviteeRequests: number, eventsChanged: number, activitiesAdded: number, };

export type IpcError = { kind: string, message: string, };

export type DataChanged = { stale: Array<string>, };
