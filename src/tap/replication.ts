// Which timestamp drives incremental extraction, and the objects Bulk API 2.0 cannot serve.
import type { SObjectDescribe } from '../bulk/index.js';

/** Replication keys in order of preference: SystemModstamp moves on every change, including system ones. */
export const REPLICATION_KEY_PRECEDENCE = ['SystemModstamp', 'LastModifiedDate', 'CreatedDate'] as const;

/** The valid replication keys of an object, best first (datetime fields that exist and can be filtered). */
export function validReplicationKeys(d: SObjectDescribe): string[] {
  return REPLICATION_KEY_PRECEDENCE.filter((k) => d.fields.some((f) => f.name === k && f.type === 'datetime' && f.filterable !== false));
}

// Objects the Bulk API cannot query, or only with a mandatory filter (documented by Salesforce and found the
// hard way by the singer-io and Airbyte connectors).
const NOT_BULK_QUERYABLE = new Set(
  (
    'AcceptedEventRelation AccountBrandShare AccountFeed ActivityHistory AggregateResult AssetFeed AssetTokenEvent ' +
    'AttachedContentDocument AttachedContentNote Attachment CaseStatus CaseTeamMember CaseTeamRole CaseTeamTemplate ' +
    'CaseTeamTemplateMember CaseTeamTemplateRecord ChannelProgramLevelShare CombinedAttachment ContentBody ' +
    'ContentFolderItem ContractStatus DataType DeclinedEventRelation EmailStatus EventWhoRelation FeedLike FeedSignal ' +
    'FeedTrackedChange FieldSecurityClassification FolderedContentDocument KnowledgeArticle KnowledgeArticleVersion ' +
    'KnowledgeArticleVersionHistory KnowledgeArticleViewStat KnowledgeArticleVoteStat ListViewChartInstance ' +
    'LookedUpFromActivity Name NoteAndAttachment OpenActivity OrderStatus OutgoingEmail OutgoingEmailRelation ' +
    'OwnedContentDocument PartnerRole ProcessInstanceHistory QuoteTemplateRichTextData RecentlyViewed ' +
    'ServiceAppointmentStatus ShiftStatus SolutionStatus TaskPriority TaskStatus TaskWhoRelation UndecidedEventRelation ' +
    'UserRecordAccess WorkOrderLineItemStatus WorkOrderStatus WorkStepStatus'
  ).split(' '),
);
const NEEDS_FILTER = new Set(
  (
    'Announcement ApexTypeImplementor AppTabMember CollaborationGroupRecord ColorDefinition ContentDocumentLink ' +
    'ContentFolderMember DataStatistics DatacloudAddress DatacloudDandBCompany EntityParticle FieldDefinition ' +
    'FieldHistoryArchive FlexQueueItem FlowTestView FlowVariableView FlowVersionView IconDefinition IdeaComment ' +
    'NetworkUserHistoryRecent OwnerChangeOptionInfo PicklistValueInfo PlatformAction RecordActionHistory ' +
    'RelatedListColumnDefinition RelatedListDefinition RelationshipDomain RelationshipInfo SearchLayout SiteDetail ' +
    'UserEntityAccess UserFieldAccess Vote'
  ).split(' '),
);

/** Why an object listed as queryable still cannot be a Bulk 2.0 stream; undefined when it can. */
export function bulkExclusionReason(name: string): string | undefined {
  if (name.endsWith('ChangeEvent')) return 'change events are delivered by the streaming API, not by queries';
  if (name.endsWith('EventStream')) return 'real-time event streams cannot be queried in bulk';
  if (NOT_BULK_QUERYABLE.has(name)) return 'the Bulk API does not support this object';
  if (NEEDS_FILTER.has(name)) return 'this object can only be queried with a mandatory filter';
  return undefined;
}
